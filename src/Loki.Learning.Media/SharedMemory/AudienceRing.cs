using Loki.Learning.Media.Audience;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// Where a room's audience ring sits in a <see cref="RingMemory"/> (docs/shared-memory.md §3): the <see cref="RingHeader"/>,
/// the writer's line (periods written), the reader's line (periods read and skipped), each period's first-frame time
/// (f64 ms since the Unix epoch), and the periods' samples, planar stereo.
/// </summary>
public sealed class AudienceRingLayout
{
    internal const long WrittenOffset = RingHeader.Length;
    internal const long ReadOffset = WrittenOffset + RingHeader.CacheLine;
    internal const long SkippedOffset = ReadOffset + 8;
    internal const long EpochsOffset = ReadOffset + RingHeader.CacheLine;

    private AudienceRingLayout(int periodFrames, int periods, int sampleRate)
    {
        PeriodFrames = periodFrames;
        Periods = periods;
        SampleRate = sampleRate;
        SamplesOffset = EpochsOffset + RingHeader.Line((long)periods * sizeof(double));
        TotalLength = SamplesOffset + RingHeader.Line((long)periods * PeriodLength * sizeof(float));
    }

    /// <summary>Frames per period.</summary>
    public int PeriodFrames { get; }

    /// <summary>Periods in the ring.</summary>
    public int Periods { get; }

    /// <summary>The engine's sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>Bytes the whole layout takes.</summary>
    public long TotalLength { get; }

    internal long SamplesOffset { get; }

    /// <summary>Floats per period: two channels, planar.</summary>
    internal int PeriodLength => 2 * PeriodFrames;

    /// <summary>Where the first-frame time of the period in <paramref name="slot"/> sits.</summary>
    internal static long EpochOffset(long slot) => EpochsOffset + (slot * sizeof(double));

    /// <summary>Where the samples of the period in <paramref name="slot"/> start.</summary>
    internal long PeriodOffset(long slot) => SamplesOffset + (slot * PeriodLength * sizeof(float));

    /// <summary>The layout of an <see cref="AudienceTap"/>'s ring as this build sizes it.</summary>
    public static AudienceRingLayout For(int periodFrames) =>
        Check(new RingHeader.Fields(RingKind.Audience, 2, periodFrames, AudienceTap.RingPeriods, 0, 0, AudienceFrame.SampleRate, 0, 0))
        ?? throw new ArgumentOutOfRangeException(nameof(periodFrames), periodFrames, "No audience ring for this period.");

    /// <summary>Writes the header of a fresh (zeroed) memory for this layout.</summary>
    internal void Initialize(RingMemory memory, ulong generation)
    {
        if (memory.Length < TotalLength)
        {
            throw new ArgumentException($"The memory holds {memory.Length} bytes; the audience ring needs {TotalLength}.", nameof(memory));
        }
        RingHeader.Write(memory, new RingHeader.Fields(RingKind.Audience, 2, PeriodFrames, Periods, 0, 0, SampleRate, TotalLength, generation));
    }

    /// <summary>The layout of memory another process wrote, after checking every field.</summary>
    /// <exception cref="RingFormatException">Not an audience ring of this version, or a field out of bounds.</exception>
    public static AudienceRingLayout FromHeader(RingMemory memory)
    {
        var fields = RingHeader.Read(memory);
        if (fields.Kind != RingKind.Audience)
        {
            throw new RingFormatException($"The ring memory holds {fields.Kind}, not an audience ring.");
        }
        var layout = Check(fields) ?? throw new RingFormatException(
            $"The audience ring's header is out of bounds: {fields.Channels} channels, {fields.PeriodFrames} frames per period, {fields.CapacityA} periods, {fields.SampleRate} Hz.");
        if (fields.TotalLength != layout.TotalLength || memory.Length < layout.TotalLength)
        {
            throw new RingFormatException(
                $"The audience ring needs {layout.TotalLength} bytes; the header says {fields.TotalLength} and the memory holds {memory.Length}.");
        }
        return layout;
    }

    private static AudienceRingLayout? Check(in RingHeader.Fields fields) =>
        fields.Channels == 2 && fields.PeriodFrames is >= 16 and <= 4096 && fields.CapacityA is >= 4 and <= 65536
            && fields.SampleRate is >= 8000 and <= 192000
            ? new AudienceRingLayout(fields.PeriodFrames, fields.CapacityA, fields.SampleRate)
            : null;
}

/// <summary>The engine's end of an audience ring (the mix thread): copy a period, publish the count. Allocation-free.</summary>
internal sealed class AudienceRingWriter(RingMemory memory, AudienceRingLayout layout)
{
    private long _written;

    /// <summary>Periods written so far.</summary>
    public long Written => _written;

    /// <summary>Copies one period's room mix (planar stereo; a shorter mix fills the front) and its first-frame time.</summary>
    public void Write(ReadOnlySpan<float> mix, double periodEpochMs)
    {
        var slot = (int)(_written % layout.Periods);
        var length = Math.Min(mix.Length, layout.PeriodLength);
        mix[..length].CopyTo(memory.Floats(layout.PeriodOffset(slot), length));
        memory.Int64(AudienceRingLayout.EpochOffset(slot)) = BitConverter.DoubleToInt64Bits(periodEpochMs);
        _written++;
        Volatile.Write(ref memory.Int64(AudienceRingLayout.WrittenOffset), _written);
        RingHeader.Beat(memory, RingSide.Engine, _written);
    }
}

/// <summary>
/// The broadcaster's end of an audience ring: encodes <c>batch</c> periods into one <see cref="AudienceFrame"/> message.
/// It skips ahead when it falls more than half the ring behind; a batch the writer may have overwritten while it was
/// encoded (the reader stalled for half a ring: a long pause of its process) is thrown away and counted as skipped.
/// The writer's count it reads is checked: going backwards is a <see cref="RingFault.Position"/>.
/// </summary>
internal sealed class AudienceRingReader(RingMemory memory, AudienceRingLayout layout, int batchPeriods)
{
    private long _read;
    private long _skipped;
    private uint _sequence;

    /// <summary>Set once the writer's count was found impossible; nothing is read after.</summary>
    public RingFault Fault { get; private set; }

    /// <summary>Periods skipped because the reader fell behind.</summary>
    public long Skipped => _skipped;

    /// <summary>Periods per message.</summary>
    public int BatchPeriods => batchPeriods;

    /// <summary>Frames per channel in each message.</summary>
    public int BatchFrames => batchPeriods * layout.PeriodFrames;

    /// <summary>Periods the writer published.</summary>
    public long Written => Volatile.Read(ref memory.Int64(AudienceRingLayout.WrittenOffset));

    /// <summary>Encodes the next batch into <paramref name="message"/> when that many periods are waiting. Allocation-free.</summary>
    public bool TryEncode(Span<byte> message)
    {
        while (Fault == RingFault.None)
        {
            var written = Written;
            if (written < _read)
            {
                Fault = RingFault.Position;
                return false;
            }
            if (written - _read > layout.Periods / 2)
            {
                Skip(written - batchPeriods - _read);
            }
            if (written - _read < batchPeriods)
            {
                return false;
            }
            var frames = BatchFrames;
            var periodFrames = layout.PeriodFrames;
            var epoch = BitConverter.Int64BitsToDouble(memory.Int64(AudienceRingLayout.EpochOffset(_read % layout.Periods)));
            AudienceFrame.WriteHeader(message, 2, frames, _sequence, epoch);
            for (var p = 0; p < batchPeriods; p++)
            {
                var slot = (_read + p) % layout.Periods;
                var period = memory.Floats(layout.PeriodOffset(slot), layout.PeriodLength);
                // Planar in the ring per period; planar per message: left of every period, then right.
                AudienceFrame.WriteSamples(message, AudienceFrame.HeaderLength + (2 * p * periodFrames), period[..periodFrames]);
                AudienceFrame.WriteSamples(message, AudienceFrame.HeaderLength + (2 * (frames + (p * periodFrames))), period[periodFrames..]);
            }
            Interlocked.MemoryBarrier();
            if (Written > _read + layout.Periods)
            {
                Skip(batchPeriods); // the writer lapped the oldest period of this batch while it was encoded: torn
                continue;
            }
            _sequence++;
            _read += batchPeriods;
            Volatile.Write(ref memory.Int64(AudienceRingLayout.ReadOffset), _read);
            return true;
        }
        return false;
    }

    private void Skip(long periods)
    {
        _skipped += periods;
        _read += periods;
        Volatile.Write(ref memory.Int64(AudienceRingLayout.SkippedOffset), _skipped);
    }
}
