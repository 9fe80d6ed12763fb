using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// A participant whose audio arrives over a transport the engine does not own (a browser's WebSocket), mixed in the
/// same rooms, through the same jitter buffer and mixer, as JackTrip clients. Created by
/// <see cref="MediaEngine.AttachExternal"/>; it joins its room at the start of the next period.
/// </summary>
/// <remarks>
/// <para>Threading: one transport thread at a time calls <see cref="WriteInput"/> (a single producer) and one at a time calls
/// <see cref="TryReadOutput"/> / <see cref="WaitForOutputAsync"/> (a single consumer); they may be different threads.
/// The mix thread is the other end of both queues; neither side ever waits for the other.</para>
/// <para>Input: a preallocated lock-free queue of up to <see cref="InputQueueBlocks"/> blocks holding together up to
/// <see cref="InputQueueFrames"/> frames (about 340 ms at 48 kHz: more than the jitter buffer's deepest, so a burst
/// after a TCP stall fits). The mix thread drains it at the start of every period into the participant's jitter
/// buffer, using the block's sequence number and the time <see cref="WriteInput"/> was called as its arrival.</para>
/// <para>Output: the mix thread publishes the participant's personal mix every period into a ring; a reader that falls
/// behind finds at most <see cref="MaxOutputBacklog"/> periods, the oldest are dropped (never queued deep: latency
/// must not grow).</para>
/// </remarks>
public sealed class ExternalParticipant : IParticipantTransport
{
    /// <summary>Most frames one <see cref="WriteInput"/> block may carry.</summary>
    public const int MaxBlockFrames = 1024;

    /// <summary>Most blocks the input queue holds; a block beyond is dropped.</summary>
    public const int InputQueueBlocks = 128;

    /// <summary>Most frames the input queue holds (all queued blocks together); a block beyond is dropped.</summary>
    public const int InputQueueFrames = 16384;

    /// <summary>Most output periods kept for a slow reader; older ones are dropped.</summary>
    public const int MaxOutputBacklog = 4;

    private readonly TimeProvider _time;
    private readonly Action<int> _detach;

    // The two queues live in a RingMemory (docs/shared-memory.md §2): a pinned array here, or a memory-mapped file shared
    // with another process (SharedMemory/), through the same ring code. This object holds both ends; the ends' own
    // positions are kept in them, and everything the other end reads is published to the memory.
    private readonly RingMemory _memory;
    private readonly InputQueueWriter _inputWriter;
    private readonly InputQueueReader _inputReader;
    private readonly OutputRingWriter _outputWriter;
    private readonly OutputRingReader _outputReader;

    private readonly StageHistogram _inputWait = new();
    private readonly StageHistogram _outputWait = new();

    private readonly OutputSignal _signal;
    private volatile bool _left;
    private int _disposed;

    internal ExternalParticipant(int participantId, int channels, int periodFrames, int sampleRate, TimeProvider time, InputLevelMeter level, Action<int> detach,
        JitterBufferOptions? jitterBuffer = null)
        : this(participantId, ParticipantRingLayout.For(channels, periodFrames, sampleRate), null, time, level, detach, jitterBuffer)
    {
    }

    /// <summary>Over <paramref name="memory"/> laid out as <paramref name="layout"/> (already initialized), or over a fresh pinned array when <c>null</c>.</summary>
    internal ExternalParticipant(int participantId, ParticipantRingLayout layout, RingMemory? memory, TimeProvider time, InputLevelMeter level, Action<int> detach,
        JitterBufferOptions? jitterBuffer = null)
    {
        JitterOptions = jitterBuffer;
        ParticipantId = participantId;
        Channels = layout.Channels;
        PeriodFrames = layout.PeriodFrames;
        SampleRate = layout.SampleRate;
        Level = level;
        _time = time;
        _detach = detach;
        if (memory is null)
        {
            memory = new PinnedRingMemory(layout.TotalLength);
            layout.Initialize(memory, 0);
        }
        _memory = memory;
        _inputWriter = new InputQueueWriter(memory, layout, time);
        _inputReader = new InputQueueReader(memory, layout);
        _outputWriter = new OutputRingWriter(memory, layout);
        _outputReader = new OutputRingReader(memory, layout);
        _signal = new OutputSignal(() => OutputReady || HasLeft);
    }

    /// <summary>Engine-wide id, used by commands (<see cref="SetMute"/>, <see cref="SetGain"/>, …) and events.</summary>
    public int ParticipantId { get; }

    /// <summary>Channels of the input and of the personal mix: 1 or 2.</summary>
    public int Channels { get; }

    /// <summary>Frames per engine period; every output block has this many frames.</summary>
    public int PeriodFrames { get; }

    /// <summary>The engine's sample rate (the transport must deliver and play audio at this rate).</summary>
    public int SampleRate { get; }

    /// <summary>
    /// Latest input level of this participant: peak and RMS over the last ~100 ms, linear 0..1, measured after the
    /// jitter buffer and before mute (a muted participant's meter still moves). Any thread.
    /// </summary>
    public (float Peak, float Rms) InputLevel => Level.Read();

    /// <summary><c>true</c> once the participant left: disposed, removed, its room closed or full, or the engine stopped.</summary>
    public bool HasLeft => _left || Volatile.Read(ref _disposed) != 0;

    /// <summary>Input blocks refused by <see cref="WriteInput"/> (stale, duplicate or queue full) since the attachment.</summary>
    public long DroppedInputBlocks => _inputReader.Dropped;

    /// <summary>Output periods dropped because the reader fell more than <see cref="MaxOutputBacklog"/> periods behind.</summary>
    public long DroppedOutputBlocks => _outputReader.Dropped;

    internal InputLevelMeter Level { get; }

    /// <summary>Set once a position read from the ring memory was impossible (only a memory shared with another process can get there).</summary>
    internal RingFault Fault =>
        _inputReader.Fault != RingFault.None ? _inputReader.Fault : _inputWriter.Fault != RingFault.None ? _inputWriter.Fault : _outputReader.Fault;

    /// <summary>This participant's own jitter-buffer tuning (sample rate and clock filled in), or <c>null</c> for the engine's.</summary>
    internal JitterBufferOptions? JitterOptions { get; }

    /// <summary>
    /// How long this participant's audio waited in the engine's two hand-overs, for the path breakdown
    /// (docs/benchmarks.md §7): from <see cref="WriteInput"/> until the mix thread moved the block into the jitter buffer
    /// (at the start of the next period), and from the mix thread publishing a period until <see cref="TryReadOutput"/>
    /// took it. Any thread; allocation-free.
    /// </summary>
    public ExternalPathTimes PathTimes => new(
        _inputWait.Percentile(0.5), _inputWait.Percentile(0.95), _outputWait.Percentile(0.5), _outputWait.Percentile(0.95));

    /// <summary>
    /// Queues one block of the participant's audio for the mix thread. Transport thread; never blocks; allocation-free.
    /// </summary>
    /// <param name="sequence">The sender's block counter (u32, wraps); orders blocks in the jitter buffer. Blocks of one
    /// stream should all have the same frame count: a change restarts the participant's jitter buffer.</param>
    /// <param name="senderTimestampMicros">The sender's clock, µs since the Unix epoch (one-way delay estimate).</param>
    /// <param name="interleaved">1..<see cref="MaxBlockFrames"/> frames of <see cref="Channels"/> interleaved samples.</param>
    /// <returns><c>false</c> when the block was dropped: a duplicate, more than 64 blocks older than the newest, the
    /// queue full, or the participant gone. <c>true</c> means queued; the jitter buffer may still find it late.</returns>
    /// <exception cref="ArgumentException">The length is not a whole number of 1..1024 frames.</exception>
    public bool WriteInput(uint sequence, long senderTimestampMicros, ReadOnlySpan<float> interleaved) =>
        _inputWriter.TryWrite(sequence, senderTimestampMicros, interleaved, HasLeft);

    /// <summary>
    /// Takes the oldest personal-mix period not yet read. Transport thread; never blocks; allocation-free. When the reader
    /// fell behind, periods older than the newest <see cref="MaxOutputBacklog"/> are skipped (a gap in the sequence).
    /// </summary>
    /// <param name="interleaved">At least <see cref="PeriodFrames"/> × <see cref="Channels"/> floats; receives one period, interleaved.</param>
    /// <param name="sequence">The period's output sequence number (counts periods since the join, wraps).</param>
    /// <returns><c>false</c> when no period is ready.</returns>
    /// <exception cref="ArgumentException"><paramref name="interleaved"/> is shorter than one period.</exception>
    public bool TryReadOutput(Span<float> interleaved, out uint sequence)
    {
        if (!_outputReader.TryRead(interleaved, HasLeft, out sequence, out var published))
        {
            return false;
        }
        _outputWait.Record(_time.GetTimestamp() - published, _time.TimestampFrequency);
        return true;
    }

    /// <summary>
    /// Completes when at least one output period is ready, or the participant has left (check <see cref="HasLeft"/>).
    /// One waiter at a time. Allocation-free unless <paramref name="cancellationToken"/> can be cancelled (a registration).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (the task then throws <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="InvalidOperationException">Another wait is pending.</exception>
    public ValueTask WaitForOutputAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);

    /// <summary>Leaves the room (a <see cref="ParticipantLeft"/> event with <see cref="LeaveReason.Exited"/> follows). Never blocks.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _detach(ParticipantId);
        RingHeader.Close(_memory, RingSide.Engine);
        _signal.Wake();
    }

    private bool OutputReady => _outputReader.Ready;

    // ---- Mix-thread side ----

    /// <summary>The oldest queued input block, if any (mix thread). Call <see cref="ReleaseInput"/> when done with it.</summary>
    internal bool TryPeekInput(out ExternalInputBlock block, out ReadOnlySpan<float> planar) => _inputReader.TryPeek(out block, out planar);

    /// <summary>Records how long the block taken by <see cref="TryPeekInput"/> waited for the mix thread (mix thread).</summary>
    internal void RecordInputWait(long arrival, long now) => _inputWait.Record(now - arrival, _time.TimestampFrequency);

    /// <summary>Frees the block returned by <see cref="TryPeekInput"/> for the transport thread (mix thread).</summary>
    internal void ReleaseInput() => _inputReader.Release();

    /// <summary>Publishes one period of the personal mix (planar, <see cref="Channels"/> × period) and wakes a waiter (mix thread).</summary>
    internal void PublishOutput(ReadOnlySpan<float> planar)
    {
        _outputWriter.Publish(planar, _time.GetTimestamp());
        _signal.Wake();
    }

    /// <summary>Marks the participant gone and wakes a waiter (mix thread, or the engine when it stops). Idempotent.</summary>
    internal void MarkLeft()
    {
        _left = true;
        RingHeader.Close(_memory, RingSide.Engine); // a transport in another process sees the participant gone
        _signal.Wake();
    }
}

/// <summary>
/// Where an external participant's audio waits inside the engine besides its jitter buffer, ms (p50, p95; <c>null</c>
/// before any audio): <paramref name="InputWaitP50"/> from the transport's hand-over to the mix thread's next period,
/// <paramref name="OutputWaitP50"/> from the mix to the transport taking the period.
/// </summary>
public readonly record struct ExternalPathTimes(double? InputWaitP50, double? InputWaitP95, double? OutputWaitP50, double? OutputWaitP95);

/// <summary>One queued input block of an <see cref="ExternalParticipant"/>, as the mix thread sees it.</summary>
internal readonly record struct ExternalInputBlock(int Frames, uint Sequence, long SenderMicroseconds, long ArrivalTimestamp, long WallMicroseconds);
