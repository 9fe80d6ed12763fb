using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>Counts for one direction of the TCP proxy, over all its connections; read while it runs.</summary>
public sealed class TcpImpairmentCounters
{
    private long _segments;
    private long _bytes;
    private long _retransmissions;
    private long _timeouts;
    private long _heldBehind;

    /// <summary>Segments relayed (a read from the socket is cut into segments of at most one MSS).</summary>
    public long Segments => Interlocked.Read(ref _segments);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Transmissions the modelled link lost (each one a retransmission, and a stall of what follows).</summary>
    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    /// <summary>Segments repaired only by the retransmission timeout (their retransmission was lost too).</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Segments that arrived in time but waited behind a retransmitted one (head-of-line blocking).</summary>
    public long HeldBehind => Interlocked.Read(ref _heldBehind);

    internal void Count(int bytes, TcpSegmentFate fate)
    {
        Interlocked.Increment(ref _segments);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _retransmissions, fate.Retransmissions);
        if (fate.Retransmissions > 1)
        {
            Interlocked.Increment(ref _timeouts);
        }
        if (fate.HeldBehind)
        {
            Interlocked.Increment(ref _heldBehind);
        }
    }

    public override string ToString() =>
        $"segments {Segments}, bytes {Bytes}, retransmissions {Retransmissions}, timeouts {Timeouts}, held behind {HeldBehind}";
}

/// <summary>
/// A TCP relay on 127.0.0.1 that gives every connection through it the delay, jitter and loss stalls of an impaired
/// path (<see cref="TcpImpairmentModel"/>), because the test machines' kernel has no netem. A client connects to
/// <see cref="EndPoint"/> instead of the target; each accepted connection is relayed to the target, each direction
/// through its own seeded model (connection n, direction d: seed + 2n + d, in the order connections are accepted).
/// Bytes are never lost or reordered — TCP repairs the loss — they are held back until the model delivers them.
/// </summary>
public sealed class TcpImpairmentProxy : IAsyncDisposable
{
    /// <summary>Largest segment: a 1500-byte Ethernet frame less IPv4 and TCP headers with timestamps.</summary>
    public const int SegmentBytes = 1448;

    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly ImpairmentProfile _upstream;
    private readonly ImpairmentProfile _downstream;
    private readonly int _seed;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Relay> _relays = [];
    private readonly Lock _relaysLock = new();
    private readonly Task _accepting;
    private int _connections;
    private volatile bool _impaired = true;

    private TcpImpairmentProxy(IPEndPoint target, ImpairmentProfile upstream, ImpairmentProfile downstream, int seed)
    {
        if (!IPAddress.IsLoopback(target.Address))
        {
            throw new ArgumentException("The impairment proxy only relays to loopback addresses.", nameof(target));
        }
        _target = target;
        _upstream = upstream;
        _downstream = downstream;
        _seed = seed;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where clients connect instead of the target.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Client → target (a browser's audio going up).</summary>
    public TcpImpairmentCounters Upstream { get; } = new();

    /// <summary>Target → client (the mix coming down).</summary>
    public TcpImpairmentCounters Downstream { get; } = new();

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>
    /// While <c>false</c>, segments cross at once (the link healed); the models are not consulted, so the seeded stream
    /// of fates goes on where it stopped when the impairment comes back.
    /// </summary>
    public bool Impaired
    {
        get => _impaired;
        set => _impaired = value;
    }

    /// <summary>Starts a proxy with the same profile in both directions.</summary>
    public static TcpImpairmentProxy Start(IPEndPoint target, ImpairmentProfile profile, int seed) => new(target, profile, profile, seed);

    public static TcpImpairmentProxy Start(IPEndPoint target, ImpairmentProfile upstream, ImpairmentProfile downstream, int seed) =>
        new(target, upstream, downstream, seed);

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        List<Relay> relays;
        lock (_relaysLock)
        {
            relays = [.. _relays];
        }
        foreach (var relay in relays)
        {
            relay.Close();
        }
        foreach (var relay in relays)
        {
            relay.Join();
        }
        _closing.Dispose();
    }

    private TimeSpan Now => Stopwatch.GetElapsedTime(_started);

    private async Task AcceptAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_closing.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await target.ConnectAsync(_target, _closing.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Dispose();
                target.Dispose();
                continue;
            }
            var n = Interlocked.Increment(ref _connections) - 1;
            var relay = new Relay(this, client, target,
                new TcpImpairmentModel(_upstream, unchecked(_seed + (2 * n))),
                new TcpImpairmentModel(_downstream, unchecked(_seed + (2 * n) + 1)));
            lock (_relaysLock)
            {
                _relays.Add(relay);
            }
        }
    }

    /// <summary>One accepted connection: two directions, each a reading thread and a delivering thread.</summary>
    private sealed class Relay
    {
        private readonly Socket _client;
        private readonly Socket _target;
        private readonly Direction _up;
        private readonly Direction _down;

        public Relay(TcpImpairmentProxy proxy, Socket client, Socket target, TcpImpairmentModel upModel, TcpImpairmentModel downModel)
        {
            _client = client;
            _target = target;
            _up = new Direction(proxy, client, target, upModel, proxy.Upstream, "tcp-impair-up");
            _down = new Direction(proxy, target, client, downModel, proxy.Downstream, "tcp-impair-down");
        }

        public void Close()
        {
            _up.Stop();
            _down.Stop();
            _client.Dispose();
            _target.Dispose();
        }

        public void Join()
        {
            _up.Join();
            _down.Join();
        }
    }

    /// <summary>Reads from one socket, stamps each segment with its modelled delivery time, writes it to the other when due.</summary>
    private sealed class Direction
    {
        private readonly TcpImpairmentProxy _proxy;
        private readonly Socket _from;
        private readonly Socket _to;
        private readonly TcpImpairmentModel _model;
        private readonly TcpImpairmentCounters _counters;
        private readonly Queue<(long Due, byte[] Bytes)> _queue = new();
        private readonly Lock _queueLock = new();
        private readonly AutoResetEvent _wake = new(false);
        private readonly Thread _reader;
        private readonly Thread _writer;
        private volatile bool _stopped;
        private volatile bool _ended;   // the reading side closed: shut the writing side down once everything is out

        public Direction(TcpImpairmentProxy proxy, Socket from, Socket to, TcpImpairmentModel model, TcpImpairmentCounters counters, string name)
        {
            _proxy = proxy;
            _from = from;
            _to = to;
            _model = model;
            _counters = counters;
            _reader = new Thread(Read) { IsBackground = true, Name = name + "-read" };
            _writer = new Thread(Deliver) { IsBackground = true, Name = name + "-deliver" };
            _reader.Start();
            _writer.Start();
        }

        public void Stop()
        {
            _stopped = true;
            _wake.Set();
        }

        public void Join()
        {
            _reader.Join(TimeSpan.FromSeconds(2));
            _writer.Join(TimeSpan.FromSeconds(2));
        }

        private void Read()
        {
            var buffer = new byte[64 * 1024];
            while (!_stopped)
            {
                int length;
                try
                {
                    length = _from.Receive(buffer);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    length = 0;
                }
                if (length == 0)
                {
                    _ended = true;
                    _wake.Set();
                    return;
                }
                for (var at = 0; at < length; at += SegmentBytes)
                {
                    var size = Math.Min(SegmentBytes, length - at);
                    long due;
                    if (_proxy.Impaired)
                    {
                        var fate = _model.Send(_proxy.Now);
                        _counters.Count(size, fate);
                        due = _proxy._started + (long)(fate.DeliveredAt.TotalSeconds * Stopwatch.Frequency);
                    }
                    else
                    {
                        _counters.Count(size, default);
                        due = Stopwatch.GetTimestamp();
                    }
                    lock (_queueLock)
                    {
                        // Order is kept whatever the model said before the link healed.
                        if (_queue.Count > 0)
                        {
                            due = Math.Max(due, LastDue);
                        }
                        LastDue = due;
                        _queue.Enqueue((due, buffer.AsSpan(at, size).ToArray()));
                    }
                }
                _wake.Set();
            }
        }

        private long LastDue { get; set; }

        private void Deliver()
        {
            while (!_stopped)
            {
                byte[]? due = null;
                var remaining = long.MaxValue;
                var empty = false;
                lock (_queueLock)
                {
                    if (_queue.TryPeek(out var head))
                    {
                        remaining = head.Due - Stopwatch.GetTimestamp();
                        if (remaining <= 0)
                        {
                            due = _queue.Dequeue().Bytes;
                        }
                    }
                    else
                    {
                        empty = true;
                    }
                }
                if (due is not null)
                {
                    try
                    {
                        _to.Send(due);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
                else if (empty && _ended)
                {
                    try
                    {
                        _to.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                    }
                    return;
                }
                else if (remaining == long.MaxValue)
                {
                    _wake.WaitOne(50);
                }
                else if (remaining > 2 * OneMillisecond)
                {
                    // Sleep most of the way (Linux wakes about 0.1 ms late), then yield-spin the rest for accuracy.
                    _wake.WaitOne(TimeSpan.FromSeconds((remaining - OneMillisecond) / (double)Stopwatch.Frequency));
                }
                else
                {
                    Thread.Yield();
                }
            }
        }
    }
}
