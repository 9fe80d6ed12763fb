namespace Loki.Learning.Media.SharedMemory;

/// <summary>What a ring file holds: a browser participant's two queues, or a room's audience ring.</summary>
public enum RingKind
{
    /// <summary>An <see cref="Engine.ExternalParticipant"/>'s input queue and output ring (<see cref="ParticipantRingLayout"/>).</summary>
    Participant = 1,

    /// <summary>An <see cref="Audience.AudienceTap"/>'s ring of room mixes (<see cref="AudienceRingLayout"/>).</summary>
    Audience = 2,
}

/// <summary>The two processes at a ring: the media engine (the mix thread) and the transport (the web process's socket handler or broadcaster).</summary>
public enum RingSide
{
    /// <summary>The media engine's end.</summary>
    Engine = 0,

    /// <summary>The transport's end: the browser's WebSocket handler, the audience broadcaster.</summary>
    Transport = 1,
}

/// <summary>
/// The first three cache lines of every ring memory (docs/shared-memory.md): what it holds, then one line per side that
/// only that side writes (its process id, a heartbeat and a closed flag), so the other side notices when it dies.
/// </summary>
/// <remarks>
/// Line 0: <c>u64</c> magic "LOKIRING", <c>u32</c> version, <c>u32</c> kind, <c>u32</c> channels, <c>u32</c> frames per
/// period, <c>u32</c> ×3 capacities (their meaning depends on the kind), <c>u32</c> sample rate, <c>u64</c> length in
/// bytes, <c>u64</c> generation (random, chosen by the creator: the control channel names it so an opener knows it mapped
/// the right file). Line 1: the engine's <c>i32</c> process id, <c>i32</c> closed, <c>i64</c> heartbeat. Line 2: the
/// same for the transport. All little-endian (the machine's: both processes run on the same machine).
/// </remarks>
public static class RingHeader
{
    /// <summary>"LOKIRING" read as a little-endian u64.</summary>
    public const ulong Magic = 0x474E4952494B4F4C;

    /// <summary>Layout version written and accepted.</summary>
    public const int Version = 1;

    /// <summary>Bytes per cache line; every field one side writes sits on a line of that side's own.</summary>
    public const int CacheLine = 64;

    /// <summary>Bytes of the common header (three lines).</summary>
    public const int Length = 3 * CacheLine;

    internal const int MagicOffset = 0;
    internal const int VersionOffset = 8;
    internal const int KindOffset = 12;
    internal const int ChannelsOffset = 16;
    internal const int PeriodFramesOffset = 20;
    internal const int CapacityAOffset = 24;
    internal const int CapacityBOffset = 28;
    internal const int CapacityCOffset = 32;
    internal const int SampleRateOffset = 36;
    internal const int LengthOffset = 40;
    internal const int GenerationOffset = 48;

    private const int PidOffset = 0;
    private const int ClosedOffset = 4;
    private const int HeartbeatOffset = 8;

    /// <summary>The fields of a header as written or read.</summary>
    /// <param name="Kind">What the memory holds.</param>
    /// <param name="Channels">1 or 2.</param>
    /// <param name="PeriodFrames">Frames per engine period.</param>
    /// <param name="CapacityA">Participant: input blocks; audience: ring periods.</param>
    /// <param name="CapacityB">Participant: input frames; audience: 0.</param>
    /// <param name="CapacityC">Participant: output slots; audience: 0.</param>
    /// <param name="SampleRate">The engine's sample rate.</param>
    /// <param name="TotalLength">Bytes of the whole layout.</param>
    /// <param name="Generation">Chosen by the creator.</param>
    public readonly record struct Fields(RingKind Kind, int Channels, int PeriodFrames, int CapacityA, int CapacityB, int CapacityC, int SampleRate, long TotalLength, ulong Generation);

    internal static void Write(RingMemory memory, in Fields fields)
    {
        memory.Int32(VersionOffset) = Version;
        memory.Int32(KindOffset) = (int)fields.Kind;
        memory.Int32(ChannelsOffset) = fields.Channels;
        memory.Int32(PeriodFramesOffset) = fields.PeriodFrames;
        memory.Int32(CapacityAOffset) = fields.CapacityA;
        memory.Int32(CapacityBOffset) = fields.CapacityB;
        memory.Int32(CapacityCOffset) = fields.CapacityC;
        memory.Int32(SampleRateOffset) = fields.SampleRate;
        memory.Int64(LengthOffset) = fields.TotalLength;
        memory.Int64(GenerationOffset) = (long)fields.Generation;
        // The magic last: an opener that maps the file while the creator writes sees no magic, not half a header.
        Volatile.Write(ref memory.Int64(MagicOffset), unchecked((long)Magic));
    }

    /// <summary>Reads the header of memory someone else wrote; every field is checked by the layout that uses it.</summary>
    /// <exception cref="RingFormatException">The magic or the version is not ours.</exception>
    internal static Fields Read(RingMemory memory)
    {
        if (memory.Length < Length)
        {
            throw new RingFormatException($"The ring memory is {memory.Length} bytes, shorter than its {Length}-byte header.");
        }
        var magic = unchecked((ulong)Volatile.Read(ref memory.Int64(MagicOffset)));
        if (magic != Magic)
        {
            throw new RingFormatException($"Not a ring memory: the magic is 0x{magic:X16}, not 0x{Magic:X16}.");
        }
        var version = memory.Int32(VersionOffset);
        if (version != Version)
        {
            throw new RingFormatException($"The ring memory has layout version {version}; this build reads version {Version}.");
        }
        return new Fields((RingKind)memory.Int32(KindOffset), memory.Int32(ChannelsOffset), memory.Int32(PeriodFramesOffset),
            memory.Int32(CapacityAOffset), memory.Int32(CapacityBOffset), memory.Int32(CapacityCOffset), memory.Int32(SampleRateOffset),
            memory.Int64(LengthOffset), unchecked((ulong)memory.Int64(GenerationOffset)));
    }

    internal static long SideOffset(RingSide side) => CacheLine * (1 + (int)side);

    /// <summary>Marks <paramref name="side"/> present: its process id, not closed.</summary>
    internal static void Attach(RingMemory memory, RingSide side)
    {
        var line = SideOffset(side);
        Volatile.Write(ref memory.Int32(line + PidOffset), Environment.ProcessId);
        Volatile.Write(ref memory.Int32(line + ClosedOffset), 0);
    }

    /// <summary>Publishes a heartbeat of <paramref name="side"/> (its own counter, so a corrupted value is never read back).</summary>
    internal static void Beat(RingMemory memory, RingSide side, long beat) =>
        Volatile.Write(ref memory.Int64(SideOffset(side) + HeartbeatOffset), beat);

    /// <summary>The closed flag's value when a side closed on purpose.</summary>
    internal const int ClosedOnPurpose = 1;

    /// <summary>The closed flag's value when the engine let a participant go because the other side went silent (or its process ended).</summary>
    internal const int ClosedPeerSilent = 2;

    /// <summary>Marks <paramref name="side"/> gone on purpose, saying <paramref name="how"/>; the first close's value stays.</summary>
    internal static void Close(RingMemory memory, RingSide side, int how = ClosedOnPurpose) =>
        Interlocked.CompareExchange(ref memory.Int32(SideOffset(side) + ClosedOffset), how, 0);

    /// <summary>The closed flag of <paramref name="side"/>: 0 open, <see cref="ClosedOnPurpose"/>, <see cref="ClosedPeerSilent"/>.</summary>
    internal static int ClosedHow(RingMemory memory, RingSide side) => Volatile.Read(ref memory.Int32(SideOffset(side) + ClosedOffset));

    /// <summary>What <paramref name="side"/> last published: process id, closed, heartbeat.</summary>
    internal static (int ProcessId, bool Closed, long Heartbeat) ReadSide(RingMemory memory, RingSide side)
    {
        var line = SideOffset(side);
        return (Volatile.Read(ref memory.Int32(line + PidOffset)), Volatile.Read(ref memory.Int32(line + ClosedOffset)) != 0,
            Volatile.Read(ref memory.Int64(line + HeartbeatOffset)));
    }

    /// <summary>Rounds up to a whole cache line.</summary>
    internal static long Line(long bytes) => (bytes + CacheLine - 1) / CacheLine * CacheLine;
}

/// <summary>A ring memory whose header or size is not what this build reads: a clear refusal instead of an out-of-range read.</summary>
public sealed class RingFormatException(string message) : Exception(message);
