using System.Diagnostics;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Audience;

/// <summary>
/// Copies each period's room mix into a ring allocated up front, for one reader that encodes it into audience-stream
/// messages (<see cref="AudienceFrame"/>) off the mix thread. Also times the mix thread: the interval between periods.
/// </summary>
/// <remarks>
/// Threading: <see cref="OnPeriod"/> runs on the mix thread (copy, publish the count, return: no lock, no allocation);
/// <see cref="TryEncode"/> runs on one reader thread. The reader skips ahead when it falls more than half the ring behind,
/// so it never reads a slot the mix thread is writing.
/// </remarks>
public sealed class AudienceTap : IRoomTap
{
    /// <summary>Periods in the ring: 256 × 128 frames ≈ 0.68 s at 48 kHz.</summary>
    public const int RingPeriods = 256;

    private readonly int _periodFrames;
    // The ring lives in a RingMemory (docs/shared-memory.md §3): a pinned array here, or a file shared with the web
    // process's broadcaster (SharedAudienceReader), through the same ring code.
    private readonly RingMemory _memory;
    private readonly AudienceRingWriter _writer;
    private readonly AudienceRingReader _reader;
    private long _lastTimestamp;
    private long _maxIntervalTicks;
    private long _lateIntervals;
    private long _intervals;
    private int _detached;

    /// <param name="periodFrames">Frames per period of the engine (128).</param>
    /// <param name="batchPeriods">Periods per message (16 = 2048 frames ≈ 42.7 ms).</param>
    public AudienceTap(int periodFrames = 128, int batchPeriods = 16)
        : this(AudienceRingLayout.For(periodFrames), null, batchPeriods)
    {
    }

    /// <summary>
    /// A tap whose ring is a file shared with the web process (<see cref="AudienceRingFile.Create"/> made it); the
    /// broadcaster there reads it with <see cref="SharedAudienceReader"/>, so <see cref="TryEncode"/> must not be called
    /// here. Detaching closes the engine's end in the file.
    /// </summary>
    /// <exception cref="RingFormatException">The file is not an audience ring of this version.</exception>
    public AudienceTap(MappedRingMemory ring, int batchPeriods = 16)
        : this(AudienceRingLayout.FromHeader(ring), ring, batchPeriods)
    {
    }

    private AudienceTap(AudienceRingLayout layout, RingMemory? memory, int batchPeriods)
    {
        _periodFrames = layout.PeriodFrames;
        if (memory is null)
        {
            memory = new PinnedRingMemory(layout.TotalLength);
            layout.Initialize(memory, 0);
        }
        _memory = memory;
        _writer = new AudienceRingWriter(memory, layout);
        _reader = new AudienceRingReader(memory, layout, batchPeriods);
    }

    /// <summary>Periods per message.</summary>
    public int BatchPeriods => _reader.BatchPeriods;

    /// <summary>Frames per channel in each message.</summary>
    public int BatchFrames => _reader.BatchFrames;

    /// <summary>Length of each message in bytes.</summary>
    public int MessageLength => AudienceFrame.Length(BatchFrames, 2);

    /// <summary>True once the tap will see no more periods (room closed, engine stopped).</summary>
    public bool Detached => Volatile.Read(ref _detached) != 0;

    /// <summary>Periods seen so far.</summary>
    public long Periods => _reader.Written;

    /// <summary>Periods the reader skipped because it fell behind.</summary>
    public long SkippedPeriods => _reader.Skipped;

    /// <summary>Longest interval between two periods on the mix thread, and how many were over 1.5 periods.</summary>
    public (TimeSpan Max, long Late, long Intervals) MixTiming =>
        (Stopwatch.GetElapsedTime(0, Volatile.Read(ref _maxIntervalTicks)), Volatile.Read(ref _lateIntervals), Volatile.Read(ref _intervals));

    /// <inheritdoc />
    public void OnPeriod(MixingRoom room, double periodEpochMs)
    {
        var now = Stopwatch.GetTimestamp();
        if (_lastTimestamp != 0)
        {
            var interval = now - _lastTimestamp;
            if (interval > _maxIntervalTicks)
            {
                Volatile.Write(ref _maxIntervalTicks, interval);
            }
            // 1.5 periods of 128 frames at 48 kHz = 4 ms.
            if (interval * 1000.0 / Stopwatch.Frequency > 1.5 * _periodFrames * 1000.0 / AudienceFrame.SampleRate)
            {
                Volatile.Write(ref _lateIntervals, _lateIntervals + 1);
            }
            Volatile.Write(ref _intervals, _intervals + 1);
        }
        _lastTimestamp = now;

        _writer.Write(room.RoomMix, periodEpochMs);
    }

    /// <inheritdoc />
    public void OnDetached()
    {
        Volatile.Write(ref _detached, 1);
        RingHeader.Close(_memory, RingSide.Engine);
    }

    /// <summary>Forgets the timing so far (after warm-up).</summary>
    public void ResetTiming()
    {
        Volatile.Write(ref _maxIntervalTicks, 0);
        Volatile.Write(ref _lateIntervals, 0);
        Volatile.Write(ref _intervals, 0);
    }

    /// <summary>
    /// Encodes the next <see cref="BatchPeriods"/> periods into <paramref name="message"/> (<see cref="MessageLength"/> bytes)
    /// when that many are waiting. Reader thread only.
    /// </summary>
    public bool TryEncode(Span<byte> message) => _reader.TryEncode(message);
}
