using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>Counts for one direction of the proxy; read while it runs, so every field is updated atomically.</summary>
public sealed class ImpairmentCounters
{
    private long _received;
    private long _lost;
    private long _delivered;
    private long _duplicated;
    private long _heldForReorder;
    private long _exitDatagrams;

    public long Received => Interlocked.Read(ref _received);
    public long Lost => Interlocked.Read(ref _lost);
    public long Delivered => Interlocked.Read(ref _delivered);
    public long Duplicated => Interlocked.Read(ref _duplicated);
    public long HeldForReorder => Interlocked.Read(ref _heldForReorder);

    /// <summary>JackTrip exit datagrams (63 bytes of 0xFF) that entered this direction.</summary>
    public long ExitDatagrams => Interlocked.Read(ref _exitDatagrams);

    internal void CountReceived() => Interlocked.Increment(ref _received);
    internal void CountLost() => Interlocked.Increment(ref _lost);
    internal void CountDelivered() => Interlocked.Increment(ref _delivered);
    internal void CountDuplicated() => Interlocked.Increment(ref _duplicated);
    internal void CountHeldForReorder() => Interlocked.Increment(ref _heldForReorder);
    internal void CountExit() => Interlocked.Increment(ref _exitDatagrams);

    public override string ToString() =>
        $"received {Received}, lost {Lost}, delivered {Delivered}, duplicated {Duplicated}, held {HeldForReorder}, exits {ExitDatagrams}";
}

/// <summary>
/// A UDP relay on 127.0.0.1 that impairs a link the way a real network would, because the test machines'
/// kernel has no netem. A client sends to <see cref="ClientFacingEndPoint"/>; datagrams go on to the target
/// from the proxy's own socket, so the target answers the proxy, and its answers go back to the client.
/// Each direction has its own seeded <see cref="ImpairmentModel"/>. The proxy closes itself after its lifetime.
/// </summary>
public sealed class ImpairmentProxy : IAsyncDisposable
{
    private const int MaxDatagram = 65_536;
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    private readonly Socket _clientSide;
    private readonly Socket _targetSide;
    private readonly IPEndPoint _target;
    private readonly LinkDirection _upstream;
    private readonly LinkDirection _downstream;
    private readonly PriorityQueue<PendingDatagram, (long Due, long Order)> _pending = new();
    private readonly Lock _pendingLock = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _upstreamReceiver;
    private readonly Thread _downstreamReceiver;
    private readonly Thread _scheduler;
    private readonly Timer _lifetime;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IPEndPoint? _client;
    private volatile bool _closing;
    private long _order;

    private ImpairmentProxy(IPEndPoint target, ImpairmentProfile upstream, ImpairmentProfile downstream, int seed, TimeSpan lifetime)
    {
        if (!IPAddress.IsLoopback(target.Address))
        {
            throw new ArgumentException("The impairment proxy only relays to loopback addresses.", nameof(target));
        }
        _target = target;
        _upstream = new LinkDirection(new ImpairmentModel(upstream, seed), Upstream);
        _downstream = new LinkDirection(new ImpairmentModel(downstream, unchecked(seed * 31 + 17)), Downstream);
        _clientSide = BindLoopback();
        _targetSide = BindLoopback();
        ClientFacingEndPoint = (IPEndPoint)_clientSide.LocalEndPoint!;

        _upstreamReceiver = new Thread(ReceiveFromClient) { IsBackground = true, Name = "impairment-up" };
        _downstreamReceiver = new Thread(ReceiveFromTarget) { IsBackground = true, Name = "impairment-down" };
        _scheduler = new Thread(DeliverWhenDue) { IsBackground = true, Name = "impairment-deliver" };
        _upstreamReceiver.Start();
        _downstreamReceiver.Start();
        _scheduler.Start();
        _lifetime = new Timer(_ => Close(), null, lifetime, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Where the client sends its datagrams instead of the target.</summary>
    public IPEndPoint ClientFacingEndPoint { get; }

    /// <summary>The proxy's address as the target sees it (the source of every relayed datagram).</summary>
    public IPEndPoint TargetFacingEndPoint => (IPEndPoint)_targetSide.LocalEndPoint!;

    public ImpairmentCounters Upstream { get; } = new();
    public ImpairmentCounters Downstream { get; } = new();
    public bool IsClosed => _closing;

    /// <summary>Completes when the proxy has closed, by <see cref="DisposeAsync"/> or at the end of its lifetime.</summary>
    public Task Closed => _closed.Task;

    public static ImpairmentProxy Start(IPEndPoint target, ImpairmentProfile profile, int seed, TimeSpan lifetime) =>
        new(target, profile, profile, seed, lifetime);

    public static ImpairmentProxy Start(IPEndPoint target, ImpairmentProfile upstream, ImpairmentProfile downstream, int seed, TimeSpan lifetime) =>
        new(target, upstream, downstream, seed, lifetime);

    public async ValueTask DisposeAsync()
    {
        Close();
        await _lifetime.DisposeAsync();
        // The threads end once their sockets are closed; joining bounds the wait in case one is mid-send.
        _upstreamReceiver.Join(TimeSpan.FromSeconds(2));
        _downstreamReceiver.Join(TimeSpan.FromSeconds(2));
        _scheduler.Join(TimeSpan.FromSeconds(2));
        _wake.Dispose();
    }

    private void Close()
    {
        lock (_pendingLock)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
            _pending.Clear();
        }
        _clientSide.Dispose();
        _targetSide.Dispose();
        _wake.Set();
        _closed.TrySetResult();
    }

    private static Socket BindLoopback()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Large buffers so bursts of a few hundred datagrams are not dropped by the kernel instead of the model.
        socket.ReceiveBufferSize = 4 << 20;
        socket.SendBufferSize = 4 << 20;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private void ReceiveFromClient()
    {
        var buffer = new byte[MaxDatagram];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_closing)
        {
            int length;
            try
            {
                length = _clientSide.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_closing)
                {
                    return;
                }
                continue;
            }
            // Like a NAT, the proxy answers whoever spoke last from the client side.
            var source = (IPEndPoint)from;
            if (_client is null || !_client.Equals(source))
            {
                _client = new IPEndPoint(source.Address, source.Port);
            }
            Schedule(buffer.AsSpan(0, length), _upstream, _targetSide, _target);
        }
    }

    private void ReceiveFromTarget()
    {
        var buffer = new byte[MaxDatagram];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_closing)
        {
            int length;
            try
            {
                length = _targetSide.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_closing)
                {
                    return;
                }
                continue;
            }
            var client = _client;
            if (client is null)
            {
                continue;
            }
            Schedule(buffer.AsSpan(0, length), _downstream, _clientSide, client);
        }
    }

    private void Schedule(ReadOnlySpan<byte> datagram, LinkDirection direction, Socket via, IPEndPoint destination)
    {
        var counters = direction.Counters;
        counters.CountReceived();
        if (datagram.Length == 63 && !datagram.ContainsAnyExcept((byte)0xFF))
        {
            counters.CountExit();
        }
        var fate = direction.Model.Next();
        if (fate.Lost)
        {
            counters.CountLost();
            return;
        }
        if (fate.HeldForReorder)
        {
            counters.CountHeldForReorder();
        }
        var now = Stopwatch.GetTimestamp();
        var due = now + ToTicks(fate.Delay);
        if (direction.Model.Profile.KeepsOrder && !fate.HeldForReorder)
        {
            due = Math.Max(due, direction.LastDue);
            direction.LastDue = due;
        }
        var copy = datagram.ToArray();
        lock (_pendingLock)
        {
            if (_closing)
            {
                return;
            }
            Enqueue(new PendingDatagram(copy, via, destination, counters), due);
            if (fate.Duplicated)
            {
                counters.CountDuplicated();
                Enqueue(new PendingDatagram(copy, via, destination, counters), Math.Max(due, now + ToTicks(fate.DuplicateDelay)));
            }
        }
        _wake.Set();
    }

    private void Enqueue(PendingDatagram datagram, long due) => _pending.Enqueue(datagram, (due, _order++));

    private static long ToTicks(TimeSpan delay) => (long)(delay.TotalSeconds * Stopwatch.Frequency);

    private void DeliverWhenDue()
    {
        while (!_closing)
        {
            PendingDatagram? due = null;
            var remaining = long.MaxValue;
            lock (_pendingLock)
            {
                if (_pending.TryPeek(out _, out var priority))
                {
                    remaining = priority.Due - Stopwatch.GetTimestamp();
                    if (remaining <= 0)
                    {
                        due = _pending.Dequeue();
                    }
                }
            }
            if (due is not null)
            {
                Send(due);
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

    private static void Send(PendingDatagram datagram)
    {
        try
        {
            datagram.Via.SendTo(datagram.Payload, datagram.Destination);
            datagram.Counters.CountDelivered();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A destination that went away loses the datagram, as a real link would.
        }
    }

    /// <summary>One direction's decisions and order; touched only by that direction's receive thread.</summary>
    private sealed class LinkDirection(ImpairmentModel model, ImpairmentCounters counters)
    {
        public ImpairmentModel Model { get; } = model;
        public ImpairmentCounters Counters { get; } = counters;
        public long LastDue { get; set; }
    }

    private sealed record PendingDatagram(byte[] Payload, Socket Via, IPEndPoint Destination, ImpairmentCounters Counters);
}
