using System.Diagnostics;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// One waiter for every <see cref="SharedParticipantTransport"/> of a process (docs/shared-memory.md §2.1): a single
/// thread looks at the output rings of all the transports opened with it every <see cref="Interval"/>, wakes the
/// waits whose period arrived, beats each transport's heartbeat, and about ten times a second checks each engine end
/// (<see cref="RingPeerWatch"/>: closed, process gone, or silent for <see cref="EngineSilenceLimit"/>). It replaces a
/// timer per connection (docs/benchmarks.md §8.2): with N browsers the process wakes once per interval, not N times.
/// With no transport open the thread sleeps on an event and costs nothing.
/// </summary>
/// <remarks>Nothing here runs a waiter's continuation: a wake queues the transport's preallocated work item to the thread
/// pool. The thread is a background thread; <see cref="Dispose"/> stops it.</remarks>
public sealed class SharedTransportPoller : IDisposable
{
    /// <summary>How long an engine's heartbeat may stand still before its participants count as gone (it beats every period).</summary>
    public static readonly TimeSpan EngineSilenceLimit = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan EngineCheckEvery = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<SharedParticipantTransport> _transports = [];
    private readonly ManualResetEventSlim _busy = new(false);
    private SharedParticipantTransport[] _snapshot = [];
    private Thread? _thread;
    private volatile bool _stopped;
    private long _passes;

    /// <param name="interval">How often the rings are looked at; 1 ms when <c>null</c> (a period is 2.67 ms).</param>
    public SharedTransportPoller(TimeSpan? interval = null)
    {
        Interval = interval ?? TimeSpan.FromMilliseconds(1);
    }

    /// <summary>How often the thread looks at the rings while a transport is open.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Transports open with this poller.</summary>
    public int Count => Volatile.Read(ref _snapshot).Length;

    /// <summary>Passes over the rings since the start (for measurements).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    internal void Add(SharedParticipantTransport transport)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        lock (_gate)
        {
            _transports.Add(transport);
            Volatile.Write(ref _snapshot, [.. _transports]);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "loki-ring-poller" };
                _thread.Start();
            }
            _busy.Set();
        }
    }

    internal void Remove(SharedParticipantTransport transport)
    {
        lock (_gate)
        {
            if (_transports.Remove(transport))
            {
                Volatile.Write(ref _snapshot, [.. _transports]);
            }
            if (_transports.Count == 0)
            {
                _busy.Reset();
            }
        }
    }

    private void Run()
    {
        var lastCheck = Stopwatch.GetTimestamp();
        while (!_stopped)
        {
            _busy.Wait();
            if (_stopped)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            var checkEngines = Stopwatch.GetElapsedTime(lastCheck, now) >= EngineCheckEvery;
            if (checkEngines)
            {
                lastCheck = now;
            }
            foreach (var transport in Volatile.Read(ref _snapshot))
            {
                transport.Poll(checkEngines);
            }
            Interlocked.Increment(ref _passes);
            Thread.Sleep(Interval);
        }
    }

    /// <summary>Stops the thread (the transports still open fall back to nothing: close them first).</summary>
    public void Dispose()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        _busy.Set();
        Thread? thread;
        lock (_gate)
        {
            thread = _thread;
        }
        thread?.Join(TimeSpan.FromSeconds(5)); // the event is left to the collector: a thread still inside Wait must not meet a disposed one
    }
}
