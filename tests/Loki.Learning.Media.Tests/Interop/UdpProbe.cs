using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// A loopback UDP endpoint for proxy tests: sends numbered datagrams, records the numbers it receives in
/// arrival order, and optionally echoes everything back to the sender.
/// </summary>
public sealed class UdpProbe : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly ConcurrentQueue<int> _arrivals = new();
    private readonly Thread _receiver;
    private readonly bool _echo;
    private volatile bool _disposed;

    public UdpProbe(bool echo = false)
    {
        _echo = echo;
        _socket.ReceiveBufferSize = 4 << 20;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _receiver = new Thread(Receive) { IsBackground = true, Name = "udp-probe" };
        _receiver.Start();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public IReadOnlyList<int> Arrivals => [.. _arrivals];

    public void SendNumbered(IPEndPoint destination, int count, TimeSpan spacing)
    {
        var datagram = new byte[64];
        for (var number = 0; number < count; number++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(datagram, number);
            _socket.SendTo(datagram, destination);
            if (spacing > TimeSpan.Zero)
            {
                Thread.Sleep(spacing);
            }
        }
    }

    /// <summary>Waits until <paramref name="expected"/> datagrams arrived or nothing arrived for <paramref name="quiet"/>.</summary>
    public void WaitForArrivals(int expected, TimeSpan quiet, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        var lastCount = -1;
        var lastChange = Stopwatch.StartNew();
        while (_arrivals.Count < expected && deadline.Elapsed < limit)
        {
            if (_arrivals.Count != lastCount)
            {
                lastCount = _arrivals.Count;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > quiet)
            {
                return;
            }
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
        _receiver.Join(TimeSpan.FromSeconds(2));
    }

    private void Receive()
    {
        var buffer = new byte[65_536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_disposed)
        {
            try
            {
                var length = _socket.ReceiveFrom(buffer, ref from);
                if (length >= 4)
                {
                    _arrivals.Enqueue(BinaryPrimitives.ReadInt32LittleEndian(buffer));
                }
                if (_echo)
                {
                    _socket.SendTo(buffer.AsSpan(0, length), from);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_disposed)
                {
                    return;
                }
            }
        }
    }
}
