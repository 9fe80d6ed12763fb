using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Loki.Learning.Hub.LinkSimulation;

namespace Loki.Learning.Bench.DatagramAudio;

/// <summary>
/// One peer connection's path between the browser and Janus, on 127.0.0.1: the page rewrites Janus' ICE candidate to
/// <see cref="BrowserFacing"/> and its own to <see cref="JanusFacing"/>, so each side sees only the relay and every
/// datagram (ICE checks, DTLS, SCTP) crosses it. Datagrams from the browser leave through the Janus-facing socket and
/// the other way round, so both ends' checks succeed on the one pair. Each direction has its own seeded
/// <see cref="ImpairmentModel"/> (the one the JackTrip tests' proxy uses), replaced at each phase; before the first
/// phase the relay forwards at once, so the set-up is never what is measured.
/// </summary>
public sealed class UdpRelayPair : IDisposable
{
    private const int MaxDatagram = 65_536;

    private readonly Socket _browserSide = Bind();
    private readonly Socket _janusSide = Bind();
    private readonly PriorityQueue<Pending, (long Due, long Order)> _pending = new();
    private readonly Lock _lock = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread[] _threads;
    private volatile IPEndPoint? _browser;
    private volatile IPEndPoint? _janus;
    private volatile bool _closed;
    private Direction _up = Direction.Immediate;
    private Direction _down = Direction.Immediate;
    private long _order;

    public UdpRelayPair(int id)
    {
        Id = id;
        _threads =
        [
            new Thread(() => Receive(_browserSide, fromBrowser: true)) { IsBackground = true, Name = $"relay-{id}-up" },
            new Thread(() => Receive(_janusSide, fromBrowser: false)) { IsBackground = true, Name = $"relay-{id}-down" },
            new Thread(Deliver) { IsBackground = true, Name = $"relay-{id}-deliver" },
        ];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public int Id { get; }

    public int BrowserFacing => ((IPEndPoint)_browserSide.LocalEndPoint!).Port;

    public int JanusFacing => ((IPEndPoint)_janusSide.LocalEndPoint!).Port;

    public RelayCounters Up => _up.Counters;

    public RelayCounters Down => _down.Counters;

    /// <summary>Janus' port for this peer connection, read by the page from Janus' SDP.</summary>
    public void SetJanusPort(int port) => _janus = new IPEndPoint(IPAddress.Loopback, port);

    /// <summary>From now on both directions follow <paramref name="profile"/>; a fresh seeded model per direction.</summary>
    public void Impair(ImpairmentProfile profile, int seed)
    {
        lock (_lock)
        {
            _up = new Direction(new ImpairmentModel(profile, seed));
            _down = new Direction(new ImpairmentModel(profile, unchecked(seed * 31 + 17)));
        }
    }

    public void Dispose()
    {
        _closed = true;
        _browserSide.Dispose();
        _janusSide.Dispose();
        _wake.Set();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }
        _wake.Dispose();
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = 4 << 20,
            SendBufferSize = 4 << 20,
        };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private void Receive(Socket socket, bool fromBrowser)
    {
        var buffer = new byte[MaxDatagram];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_closed)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_closed)
                {
                    return;
                }
                continue;
            }
            IPEndPoint? to;
            if (fromBrowser)
            {
                // Like a NAT: the browser is whoever spoke last on the browser-facing socket.
                var source = (IPEndPoint)from;
                if (_browser is null || !_browser.Equals(source))
                {
                    _browser = new IPEndPoint(source.Address, source.Port);
                }
                to = _janus;
            }
            else
            {
                to = _browser;
            }
            if (to is null)
            {
                // The other side is not known yet; ICE sends its checks again.
                continue;
            }
            Schedule(buffer.AsSpan(0, length).ToArray(), fromBrowser, to);
        }
    }

    private void Schedule(byte[] datagram, bool fromBrowser, IPEndPoint to)
    {
        var exit = fromBrowser ? _janusSide : _browserSide;
        lock (_lock)
        {
            var direction = fromBrowser ? _up : _down;
            direction.Counters.Received++;
            if (direction.Model is null)
            {
                Send(exit, datagram, to);
                return;
            }
            var fate = direction.Model.Next();
            if (fate.Lost)
            {
                direction.Counters.Lost++;
                return;
            }
            var now = Stopwatch.GetTimestamp();
            var due = now + Ticks(fate.Delay);
            if (direction.Model.Profile.KeepsOrder && !fate.HeldForReorder)
            {
                // One queue: jitter never lets a datagram overtake the one before it.
                due = Math.Max(due, direction.LastDue);
                direction.LastDue = due;
            }
            _pending.Enqueue(new Pending(exit, datagram, to), (due, _order++));
            if (fate.Duplicated)
            {
                direction.Counters.Duplicated++;
                _pending.Enqueue(new Pending(exit, datagram, to), (now + Ticks(fate.DuplicateDelay), _order++));
            }
        }
        _wake.Set();
    }

    private void Deliver()
    {
        while (!_closed)
        {
            Pending? next = null;
            var wait = TimeSpan.FromMilliseconds(50);
            lock (_lock)
            {
                if (_pending.TryPeek(out var pending, out var key))
                {
                    var now = Stopwatch.GetTimestamp();
                    if (key.Due <= now)
                    {
                        next = _pending.Dequeue();
                    }
                    else
                    {
                        wait = Stopwatch.GetElapsedTime(now, key.Due);
                    }
                }
            }
            if (next is { } due)
            {
                Send(due.Exit, due.Datagram, due.To);
                continue;
            }
            _wake.WaitOne(wait);
        }
    }

    private void Send(Socket exit, byte[] datagram, IPEndPoint to)
    {
        try
        {
            exit.SendTo(datagram, to);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A closed relay or a peer gone: the datagram is lost, as on a network.
        }
    }

    private static long Ticks(TimeSpan delay) => (long)(delay.TotalSeconds * Stopwatch.Frequency);

    private sealed record Pending(Socket Exit, byte[] Datagram, IPEndPoint To);

    private sealed class Direction(ImpairmentModel? model)
    {
        public static Direction Immediate => new(null);

        public ImpairmentModel? Model { get; } = model;

        public RelayCounters Counters { get; } = new();

        public long LastDue { get; set; }
    }
}

/// <summary>What one direction of a relay did in the current phase (updated under the relay's lock).</summary>
public sealed class RelayCounters
{
    public long Received { get; set; }

    public long Lost { get; set; }

    public long Duplicated { get; set; }

    public override string ToString() => $"{Received} datagrams, {Lost} lost, {Duplicated} duplicated";
}
