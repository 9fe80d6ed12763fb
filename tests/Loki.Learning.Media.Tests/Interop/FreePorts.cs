using System.Net;
using System.Net.Sockets;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// Ports for one test, chosen so that parallel tests (and the other engineers' runs on the same machine)
/// do not collide: single ports come from the kernel, ranges are probed in a band away from the defaults.
/// </summary>
public static class FreePorts
{
    private static readonly Lock RangeLock = new();
    private static int _nextRangeStart = 20_000 + Random.Shared.Next(0, 200) * 50;

    /// <summary>A port free for both TCP and UDP on 127.0.0.1 (JackTrip's hub uses the same number for both).</summary>
    public static int One()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            if (IsUdpFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException("no free loopback port found");
    }

    /// <summary>The first of <paramref name="count"/> consecutive ports free for UDP and TCP on every interface.</summary>
    public static int Range(int count)
    {
        lock (RangeLock)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var start = _nextRangeStart;
                _nextRangeStart += count + 8;
                if (_nextRangeStart > 30_000)
                {
                    _nextRangeStart = 20_000;
                }
                if (Enumerable.Range(start, count).All(p => IsUdpFree(p) && IsTcpFree(p)))
                {
                    return start;
                }
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free ports between 20000 and 30000");
    }

    private static bool IsUdpFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            // JackTrip binds the wildcard address, so the port must be free there too.
            udp.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsTcpFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
