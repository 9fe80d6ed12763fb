using System.Runtime.CompilerServices;
using Loki.Learning.Media.Engine;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// The transport's end of a browser participant whose <see cref="ExternalParticipant"/> lives in another process (the
/// engine process): the same <see cref="WriteInput"/> / <see cref="TryReadOutput"/> / <see cref="WaitForOutputAsync"/>
/// over the participant's rings in a shared file (<see cref="ParticipantRingFile"/>), through the same ring code.
/// </summary>
/// <remarks>
/// <para>Threading as for <see cref="ExternalParticipant"/>: one writer thread and one reader thread at a time.</para>
/// <para>Waiting: nothing in the engine process can wake a thread here without a kernel object passed between the
/// processes, so the ring is polled. Opened with a <see cref="SharedTransportPoller"/> (the node: one per process), that
/// poller's single thread looks at every transport's ring and wakes the waits; it also beats this side's heartbeat and
/// watches the engine's end (<see cref="EngineGone"/>). Opened without one, <see cref="WaitForOutputAsync"/> polls on a
/// <see cref="PeriodicTimer"/> of <see cref="PollInterval"/> of its own (1 ms by default; docs/benchmarks.md §8.2 gives
/// its cost). Either way the heartbeat moves while a wait is pending, so the engine can tell a stalled web process
/// from a quiet browser.</para>
/// <para>Every position read from the file is checked (<see cref="Fault"/>); a faulted or closed engine side makes
/// <see cref="HasLeft"/> true, and the waits complete.</para>
/// </remarks>
public sealed class SharedParticipantTransport : IParticipantTransport
{
    private readonly RingMemory _memory;
    private readonly InputQueueWriter _inputWriter;
    private readonly OutputRingReader _outputReader;
    private readonly TimeProvider _time;
    private readonly StageHistogram _outputWait = new();
    private readonly SharedTransportPoller? _poller;
    private readonly OutputSignal? _signal;
    private readonly RingPeerWatch _engineWatch;
    private PeriodicTimer? _poll;
    private long _beat;
    private int _disposed;
    private volatile bool _engineGone;

    private SharedParticipantTransport(RingMemory memory, ParticipantRingLayout layout, TimeProvider time, TimeSpan pollInterval, SharedTransportPoller? poller)
    {
        _memory = memory;
        _time = time;
        Channels = layout.Channels;
        PeriodFrames = layout.PeriodFrames;
        SampleRate = layout.SampleRate;
        PollInterval = pollInterval;
        _inputWriter = new InputQueueWriter(memory, layout, time);
        _outputReader = new OutputRingReader(memory, layout);
        _engineWatch = new RingPeerWatch(memory, RingSide.Engine, TimeProvider.System, SharedTransportPoller.EngineSilenceLimit);
        RingHeader.Attach(memory, RingSide.Transport);
        if (poller is not null)
        {
            _signal = new OutputSignal(() => _outputReader.Ready || HasLeft);
            _poller = poller;
            poller.Add(this);
        }
    }

    /// <summary>Channels of the input and of the personal mix.</summary>
    public int Channels { get; }

    /// <summary>Frames in every output period.</summary>
    public int PeriodFrames { get; }

    /// <summary>The engine's sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>How often <see cref="WaitForOutputAsync"/> looks at the ring.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>Set once a position read from the file was impossible: the engine side is not sane, the rings are abandoned.</summary>
    public RingFault Fault => _inputWriter.Fault != RingFault.None ? _inputWriter.Fault : _outputReader.Fault;

    /// <summary>
    /// <c>true</c> once disposed, the engine closed its end (the participant was removed, its room closed, the engine
    /// stopped), the engine is gone (<see cref="EngineGone"/>), or a <see cref="Fault"/> was found.
    /// </summary>
    public bool HasLeft => Volatile.Read(ref _disposed) != 0 || _engineGone || Fault != RingFault.None || RingHeader.ReadSide(_memory, RingSide.Engine).Closed;

    /// <summary>
    /// The engine's end went away without closing: its process ended (killed) or its heartbeat stood still for
    /// <see cref="SharedTransportPoller.EngineSilenceLimit"/>. Only a transport opened with a poller notices (the poller checks).
    /// Unlike a closed end (the engine let the participant go), a gone engine says nothing about the participant.
    /// </summary>
    public bool EngineGone => _engineGone;

    /// <summary>
    /// The engine let the participant go because this side's heartbeat stood still (this process stalled for longer than
    /// the engine waits): the participant was not removed, it can join again.
    /// </summary>
    public bool DroppedAsSilent => RingHeader.ClosedHow(_memory, RingSide.Engine) == RingHeader.ClosedPeerSilent;

    /// <summary>Input blocks refused (stale, duplicate, queue full).</summary>
    public long DroppedInputBlocks => Volatile.Read(ref _memory.Int64(ParticipantRingLayout.InputDroppedOffset));

    /// <summary>Output periods dropped because the reader fell behind.</summary>
    public long DroppedOutputBlocks => _outputReader.Dropped;

    /// <summary>How long periods waited between the engine publishing and <see cref="TryReadOutput"/> taking them, ms (p50, p95).</summary>
    public (double? P50, double? P95) OutputWait => (_outputWait.Percentile(0.5), _outputWait.Percentile(0.95));

    /// <summary>
    /// Maps the participant's rings the engine created at <paramref name="path"/> and checks the header.
    /// </summary>
    /// <param name="path">The file the control channel named.</param>
    /// <param name="generation">The generation the control channel named: another file at that path is refused.</param>
    /// <param name="time">The clock for arrival times; must be the system's across processes (Stopwatch ticks are compared).</param>
    /// <param name="pollInterval">How often a wait looks at the ring; 1 ms when <c>null</c>.</param>
    /// <exception cref="RingFormatException">Not participant rings of this version, truncated, out of bounds, or another generation.</exception>
    public static SharedParticipantTransport Open(string path, ulong generation, TimeProvider? time = null, TimeSpan? pollInterval = null) =>
        OpenMapped(path, generation, time, pollInterval, null);

    /// <summary>As <see cref="Open"/>, waiting through <paramref name="poller"/>'s thread
    /// (which also watches the engine's end) instead of a timer of its own.</summary>
    public static SharedParticipantTransport OpenWithPoller(string path, ulong generation, SharedTransportPoller poller, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(poller);
        return OpenMapped(path, generation, time, null, poller);
    }

    private static SharedParticipantTransport OpenMapped(string path, ulong generation, TimeProvider? time, TimeSpan? pollInterval, SharedTransportPoller? poller)
    {
        var memory = MappedRingMemory.Open(path);
        try
        {
            var layout = ParticipantRingLayout.FromHeader(memory);
            var found = RingHeader.Read(memory).Generation;
            if (found != generation)
            {
                throw new RingFormatException($"The ring file {path} is generation {found:X16}, not {generation:X16}.");
            }
            return new SharedParticipantTransport(memory, layout, time ?? TimeProvider.System, poller?.Interval ?? pollInterval ?? TimeSpan.FromMilliseconds(1), poller);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Watches the engine's end (closed, process gone, or silent for longer than <paramref name="silenceLimit"/>).</summary>
    /// <param name="silenceLimit">How long the engine's heartbeat may stand still (it beats every period).</param>
    /// <param name="time">The clock the limit is measured on; this transport's when <c>null</c>.</param>
    public RingPeerWatch WatchEngine(TimeSpan silenceLimit, TimeProvider? time = null) => new(_memory, RingSide.Engine, time ?? _time, silenceLimit);

    /// <summary>Queues one block for the mix thread in the other process; as <see cref="ExternalParticipant.WriteInput"/>.</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of 1..1024 frames.</exception>
    public bool WriteInput(uint sequence, long senderTimestampMicros, ReadOnlySpan<float> interleaved)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return _inputWriter.TryWrite(sequence, senderTimestampMicros, interleaved, left: true); // still refuses a malformed block
        }
        Beat();
        return _inputWriter.TryWrite(sequence, senderTimestampMicros, interleaved, HasLeft);
    }

    /// <summary>Takes the oldest personal-mix period kept; as <see cref="ExternalParticipant.TryReadOutput"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="interleaved"/> is shorter than one period.</exception>
    public bool TryReadOutput(Span<float> interleaved, out uint sequence)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            Beat();
        }
        if (!_outputReader.TryRead(interleaved, HasLeft, out sequence, out var published))
        {
            return false;
        }
        _outputWait.Record(_time.GetTimestamp() - published, _time.TimestampFrequency);
        return true;
    }

    /// <summary>
    /// Completes when an output period is ready or the participant has left (check <see cref="HasLeft"/>): woken by the
    /// poller's thread, or polling every <see cref="PollInterval"/> without one. One waiter at a time; allocation-free in
    /// the steady state (a reused awaitable, or a pooled state machine).
    /// </summary>
    public ValueTask WaitForOutputAsync(CancellationToken cancellationToken) =>
        _signal is { } signal ? signal.WaitAsync(cancellationToken) : PollForOutputAsync(cancellationToken);

    /// <summary>
    /// One pass of the poller's thread: beats the heartbeat, checks the engine's end when <paramref name="checkEngine"/>,
    /// and wakes a pending wait whose period arrived (or whose participant left).
    /// </summary>
    internal void Poll(bool checkEngine)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        Beat();
        if (checkEngine && !_engineGone && _engineWatch.Check() == RingPeerState.Gone)
        {
            _engineGone = true;
        }
        if (_signal is { Waiting: true } signal && (_outputReader.Ready || HasLeft))
        {
            signal.Wake();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PollForOutputAsync(CancellationToken cancellationToken)
    {
        while (!_outputReader.Ready && !HasLeft)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _poll ??= new PeriodicTimer(PollInterval, _time);
            Beat();
            if (!await _poll.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                return; // disposed
            }
        }
    }

    /// <summary>
    /// Closes this side (the engine sees <see cref="RingPeerState.Closed"/>) and ends a pending wait. Never blocks. The
    /// mapping stays until this object is collected, so a reader or writer thread still inside a call cannot touch
    /// unmapped memory.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        RingHeader.Close(_memory, RingSide.Transport);
        _poller?.Remove(this);
        _signal?.Wake();
        _poll?.Dispose();
    }

    // The poller's thread and the transport's threads may beat at once: any change of the count is a beat.
    private void Beat() => RingHeader.Beat(_memory, RingSide.Transport, Interlocked.Increment(ref _beat));
}
