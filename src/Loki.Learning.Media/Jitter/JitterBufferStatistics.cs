namespace Loki.Learning.Media.Jitter;

/// <summary>Counters and figures of one <see cref="JitterBuffer"/> since it was created.</summary>
/// <param name="Received">Packets accepted into the buffer.</param>
/// <param name="Duplicates">Packets dropped because the same sequence number was already buffered.</param>
/// <param name="Late">Packets dropped because their play time had passed.</param>
/// <param name="Lost">Sequence numbers never received by their play time (concealed).</param>
/// <param name="OutOfOrder">Packets whose sequence jumped by more than 1000 or far backwards (dropped).</param>
/// <param name="Reordered">Packets that arrived after a newer one but in time to be played.</param>
/// <param name="Underruns">Reads that found no newer packet at all (the buffer ran dry).</param>
/// <param name="Overruns">Times a packet arrived too far ahead of the play position and the oldest audio was dropped.</param>
/// <param name="Skipped">Packets dropped on purpose to shrink the depth after a calm period.</param>
/// <param name="PeriodsRead">Reads made while playing.</param>
/// <param name="ConcealedPeriods">Reads in which at least one frame was concealed.</param>
/// <param name="ConcealedFrames">Frames produced by concealment.</param>
/// <param name="DepthFrames">Frames currently buffered ahead of the play position (counting gaps up to the newest packet).</param>
/// <param name="TargetDepthFrames">Play delay the buffer is aiming for (the lateness quantile plus the safety margin), in frames.</param>
/// <param name="JitterMicroseconds">Lateness after the fastest transit that all but the allowed late share of recent packets stay within, in µs.</param>
/// <param name="PlayDelayMicroseconds">How late, after the fastest transit, the packet at the play position may still arrive: the latency the buffer adds over the fastest path, in µs.</param>
/// <param name="SeenLatenessP50Microseconds">Median lateness of every packet's first copy since creation (after the fastest transit, in bins of ⅓ ms), µs.</param>
/// <param name="SeenLatenessP99Microseconds">The same, 99th percentile.</param>
/// <param name="SeenLatenessP999Microseconds">The same, 99.9th percentile.</param>
/// <param name="SeenLatenessMaxMicroseconds">The same, the latest (capped at the buffer's maximum depth).</param>
public readonly record struct JitterBufferStatistics(
    long Received,
    long Duplicates,
    long Late,
    long Lost,
    long OutOfOrder,
    long Reordered,
    long Underruns,
    long Overruns,
    long Skipped,
    long PeriodsRead,
    long ConcealedPeriods,
    long ConcealedFrames,
    int DepthFrames,
    int TargetDepthFrames,
    double JitterMicroseconds,
    double PlayDelayMicroseconds = 0,
    double SeenLatenessP50Microseconds = 0,
    double SeenLatenessP99Microseconds = 0,
    double SeenLatenessP999Microseconds = 0,
    double SeenLatenessMaxMicroseconds = 0);
