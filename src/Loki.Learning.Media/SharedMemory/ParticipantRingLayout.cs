using Loki.Learning.Media.Engine;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// Where a browser participant's two queues sit in a <see cref="RingMemory"/> (docs/shared-memory.md §2): the
/// <see cref="RingHeader"/>, four lines of positions (each written by one side only), the input block descriptors and
/// samples, the output publish times and samples. Computed from the header's fields; <see cref="FromHeader"/> refuses
/// fields that would place anything outside the memory.
/// </summary>
public sealed class ParticipantRingLayout
{
    // Input producer line (transport writes): blocks written, blocks dropped.
    internal const long InputWrittenOffset = RingHeader.Length;
    internal const long InputDroppedOffset = InputWrittenOffset + 8;

    // Input consumer line (engine writes): blocks read, samples released.
    internal const long InputReadOffset = InputWrittenOffset + RingHeader.CacheLine;
    internal const long SamplesReleasedOffset = InputReadOffset + 8;

    // Output producer line (engine writes): periods written.
    internal const long OutputWrittenOffset = InputReadOffset + RingHeader.CacheLine;

    // Output consumer line (transport writes): periods dropped, periods read.
    internal const long OutputDroppedOffset = OutputWrittenOffset + RingHeader.CacheLine;
    internal const long OutputReadOffset = OutputDroppedOffset + 8;

    // One input block descriptor: i64 position, i32 frames, u32 sequence, i64 sender µs, i64 arrival ticks, i64 wall µs.
    internal const int DescriptorLength = 48;
    internal const int DescriptorPosition = 0;
    internal const int DescriptorFrames = 8;
    internal const int DescriptorSequence = 12;
    internal const int DescriptorSender = 16;
    internal const int DescriptorArrival = 24;
    internal const int DescriptorWall = 32;

    private ParticipantRingLayout(int channels, int periodFrames, int sampleRate, int inputBlocks, int inputFrames, int outputSlots)
    {
        Channels = channels;
        PeriodFrames = periodFrames;
        SampleRate = sampleRate;
        InputBlocks = inputBlocks;
        InputSampleCount = inputFrames * channels;
        OutputSlots = outputSlots;
        DescriptorsOffset = OutputDroppedOffset + RingHeader.CacheLine;
        InputSamplesOffset = DescriptorsOffset + RingHeader.Line((long)inputBlocks * DescriptorLength);
        PublishedOffset = InputSamplesOffset + RingHeader.Line((long)InputSampleCount * sizeof(float));
        OutputSamplesOffset = PublishedOffset + RingHeader.Line((long)outputSlots * sizeof(long));
        TotalLength = OutputSamplesOffset + RingHeader.Line((long)outputSlots * periodFrames * channels * sizeof(float));
    }

    /// <summary>1 or 2.</summary>
    public int Channels { get; }

    /// <summary>Frames in every output period.</summary>
    public int PeriodFrames { get; }

    /// <summary>The engine's sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>Most blocks queued for the mix thread.</summary>
    public int InputBlocks { get; }

    /// <summary>Floats in the input sample ring (frames × channels).</summary>
    public int InputSampleCount { get; }

    /// <summary>Output periods in the ring (twice the backlog a reader may keep).</summary>
    public int OutputSlots { get; }

    /// <summary>Bytes the whole layout takes.</summary>
    public long TotalLength { get; }

    internal long DescriptorsOffset { get; }

    internal long InputSamplesOffset { get; }

    internal long PublishedOffset { get; }

    internal long OutputSamplesOffset { get; }

    /// <summary>Floats in one output period (frames × channels).</summary>
    internal int PeriodLength => PeriodFrames * Channels;

    /// <summary>The layout of an <see cref="ExternalParticipant"/>'s queues as this build sizes them.</summary>
    public static ParticipantRingLayout For(int channels, int periodFrames, int sampleRate)
    {
        var fields = new RingHeader.Fields(RingKind.Participant, channels, periodFrames, ExternalParticipant.InputQueueBlocks,
            ExternalParticipant.InputQueueFrames, 2 * ExternalParticipant.MaxOutputBacklog, sampleRate, 0, 0);
        return Check(fields) ?? throw new ArgumentException($"No participant rings for {channels} channels, {periodFrames} frames per period at {sampleRate} Hz.");
    }

    /// <summary>Writes the header of a fresh (zeroed) memory for this layout.</summary>
    internal void Initialize(RingMemory memory, ulong generation)
    {
        if (memory.Length < TotalLength)
        {
            throw new ArgumentException($"The memory holds {memory.Length} bytes; the participant rings need {TotalLength}.", nameof(memory));
        }
        RingHeader.Write(memory, new RingHeader.Fields(RingKind.Participant, Channels, PeriodFrames, InputBlocks, InputSampleCount / Channels,
            OutputSlots, SampleRate, TotalLength, generation));
    }

    /// <summary>The layout of memory another process wrote, after checking every field against sane bounds and the memory's size.</summary>
    /// <exception cref="RingFormatException">Not participant rings of this version, or a field out of bounds.</exception>
    public static ParticipantRingLayout FromHeader(RingMemory memory)
    {
        var fields = RingHeader.Read(memory);
        if (fields.Kind != RingKind.Participant)
        {
            throw new RingFormatException($"The ring memory holds {fields.Kind}, not participant rings.");
        }
        var layout = Check(fields) ?? throw new RingFormatException(
            $"The participant rings' header is out of bounds: {fields.Channels} channels, {fields.PeriodFrames} frames per period, " +
            $"{fields.CapacityA} blocks, {fields.CapacityB} frames, {fields.CapacityC} output slots, {fields.SampleRate} Hz.");
        if (fields.TotalLength != layout.TotalLength || memory.Length < layout.TotalLength)
        {
            throw new RingFormatException(
                $"The participant rings need {layout.TotalLength} bytes; the header says {fields.TotalLength} and the memory holds {memory.Length}.");
        }
        return layout;
    }

    private static ParticipantRingLayout? Check(in RingHeader.Fields fields)
    {
        var ok = fields.Channels is 1 or 2
            && fields.PeriodFrames is >= 16 and <= 4096
            && fields.SampleRate is >= 8000 and <= 192000
            && fields.CapacityA is >= 1 and <= 4096
            && fields.CapacityB is >= ExternalParticipant.MaxBlockFrames and <= 1 << 20
            && fields.CapacityC is >= 2 and <= 64;
        return ok ? new ParticipantRingLayout(fields.Channels, fields.PeriodFrames, fields.SampleRate, fields.CapacityA, fields.CapacityB, fields.CapacityC) : null;
    }
}
