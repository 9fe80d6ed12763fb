using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// An attacker without an account: from one UDP socket it sends valid, loud JackTrip datagrams (a 3 kHz tone, mono,
/// 128 frames, 16-bit) to every port of a hub's range, round after round, and counts whatever comes back. A hub that
/// lets the first sender own a fresh port gives this sprayer every newly assigned stream.
/// </summary>
internal sealed class PortSprayer : IDisposable
{
    public const double ToneHz = 3000;

    private readonly Socket _socket;
    private readonly int _firstPort;
    private readonly int _count;
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private volatile bool _stop;
    private long _rounds;
    private long _received;

    private PortSprayer(IPAddress from, int firstPort, int count)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
        _socket.Bind(new IPEndPoint(from, 0));
        _firstPort = firstPort;
        _count = count;
        _sender = new Thread(Send) { IsBackground = true, Name = "port sprayer" };
        _receiver = new Thread(Receive) { IsBackground = true, Name = "port sprayer receive" };
    }

    /// <summary>Where the attacker sends from.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Rounds over the whole range sent so far.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Datagrams the hub sent back to the attacker (audio or anything else).</summary>
    public long DatagramsReceived => Interlocked.Read(ref _received);

    /// <summary>Starts spraying ports <paramref name="firstPort"/> … <paramref name="firstPort"/> + <paramref name="count"/> − 1 on 127.0.0.1.</summary>
    public static PortSprayer Start(IPAddress from, int firstPort, int count)
    {
        var sprayer = new PortSprayer(from, firstPort, count);
        sprayer._sender.Start();
        sprayer._receiver.Start();
        return sprayer;
    }

    /// <summary>Waits until at least <paramref name="rounds"/> more rounds went out (the spraying is under way).</summary>
    public async Task WaitForRoundsAsync(long rounds)
    {
        var target = Rounds + rounds;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Rounds < target)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private void Send()
    {
        var encoder = new JackTripPacketEncoder(48000, 16, 128, 1, 1);
        var audio = new float[128];
        var datagram = new byte[encoder.MaxDatagramLength];
        long frame = 0;
        while (!_stop)
        {
            for (var i = 0; i < audio.Length; i++)
            {
                audio[i] = (float)(0.8 * Math.Sin(2 * Math.PI * ToneHz * (frame + i) / 48000));
            }
            frame += audio.Length;
            var length = encoder.Encode(audio, JackTripPacketEncoder.TimestampFrom(TimeProvider.System), datagram);
            for (var port = _firstPort; port < _firstPort + _count && !_stop; port++)
            {
                try
                {
                    _socket.SendTo(datagram.AsSpan(0, length), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    // A port nobody listens on may answer with ICMP; keep spraying.
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
            Interlocked.Increment(ref _rounds);
            Thread.Sleep(1);
        }
    }

    private void Receive()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop)
        {
            try
            {
                _socket.ReceiveFrom(buffer, ref from);
                Interlocked.Increment(ref _received);
            }
            catch (SocketException)
            {
                // Timeout (to look at _stop) or an ICMP error from an earlier send.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _sender.Join(TimeSpan.FromSeconds(2));
        _receiver.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
    }
}
