using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>The client half of the JackTrip TCP handshake, for tests of any hub (ours in-process or in the web node).</summary>
public static class JackTripHandshakeClient
{
    /// <summary>Sends a raw handshake and returns the hub's answer.</summary>
    /// <param name="from">The local address to connect from (another 127.x address stands for another machine).</param>
    public static async Task<uint> HandshakeAsync(IPEndPoint hub, uint port, string name, IPAddress? from = null)
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            tcp.Bind(new IPEndPoint(from, 0));
        }
        await tcp.ConnectAsync(hub);
        var request = new byte[JackTripHandshake.RequestWithNameLength];
        JackTripHandshake.TryWriteRequest(request, port, name, out var length);
        await tcp.SendAsync(request.AsMemory(0, length));
        var reply = new byte[4];
        var received = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received < 4)
        {
            var count = await tcp.ReceiveAsync(reply.AsMemory(received), SocketFlags.None, timeout.Token);
            if (count == 0)
            {
                throw new InvalidOperationException("The hub closed the handshake without answering.");
            }
            received += count;
        }
        JackTripHandshake.TryReadResponse(reply, out var value);
        return value;
    }
}
