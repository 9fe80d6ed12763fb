namespace Loki.Learning.Media.Jitter;

/// <summary>Tuning of a <see cref="JitterBuffer"/>. Defaults suit 48 kHz rehearsal audio.</summary>
public sealed record JitterBufferOptions
{
    /// <summary>Sample rate of the stream in Hz; converts frames to time.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>Ticks per second of the arrival timestamps passed to <see cref="JitterBuffer.Insert(ushort, ReadOnlySpan{float}, long, bool)"/> (e.g. <see cref="TimeProvider.TimestampFrequency"/>).</summary>
    public long TimestampFrequency { get; init; } = TimeSpan.TicksPerSecond;

    /// <summary>Largest depth the buffer may grow to, in milliseconds; bounds the preallocated ring.</summary>
    public double MaxDepthMilliseconds { get; init; } = 200;

    /// <summary>
    /// Least play delay the buffer aims for, in milliseconds, whatever the measured lateness (a room policy that
    /// prefers safety over latency raises it). 0 by default: the measurement alone decides.
    /// </summary>
    public double MinTargetMilliseconds { get; init; }

    /// <summary>
    /// Most play delay the buffer aims for, in milliseconds (a room policy that prefers latency over safety lowers it:
    /// packets later than this are concealed instead of waited for). <c>null</c> by default: up to
    /// <see cref="MaxDepthMilliseconds"/>.
    /// </summary>
    public double? MaxTargetMilliseconds { get; init; }

    /// <summary>Extra play delay kept on top of the measured lateness quantile, in frames.</summary>
    public int SafetyFrames { get; init; }

    /// <summary>
    /// Share of packets the depth may leave late (0.0002 = 0.02%): the target covers the (1 − share) quantile of how
    /// late the first copy of each packet arrives. Packets the link loses entirely are not in it; with redundancy the
    /// copy that repairs a loss is, so the target covers the repairs too. The default leaves room, under the design's
    /// 0.05% of concealed periods, for packets whose every copy is lost (0.01% at 1% loss with two copies).
    /// </summary>
    public double LateShare { get; init; } = 0.0002;

    /// <summary>
    /// Lateness this far beyond the target, in milliseconds, marks a stalled sender rather than jitter: the packets of
    /// such an event are not sized for unless stalls recur within <see cref="JitterWindowSeconds"/> (then each deepens
    /// the target by one packet). It also bounds how far one event of ordinary late packets can lift the target.
    /// </summary>
    public double StallMilliseconds { get; init; } = 20;

    /// <summary>
    /// Whether stalls that recur within <see cref="JitterWindowSeconds"/> deepen the target (one packet each). A policy
    /// that prefers latency turns it off: the target then covers the link's ordinary jitter, and the stalls are faded over.
    /// </summary>
    public bool RecurringStallsDeepen { get; init; } = true;

    /// <summary>
    /// Whether the time a dry moment adds to the play delay (the buffer waits at its position while nothing newer has
    /// arrived) stays until a whole <see cref="ShrinkWindowSeconds"/> without one shows it is spare. Off: the spare audio
    /// is measured afresh after each dry moment, so the backlog that arrives after it is dropped within an eighth of the
    /// window; a sender that hiccups every second then does not keep its hiccup in the delay.
    /// </summary>
    public bool DryMomentsKeepDelay { get; init; } = true;

    /// <summary>Spare audio above the target, in milliseconds, that is dropped after an eighth of the shrink window rather than a whole one.</summary>
    public double QuickShrinkMilliseconds { get; init; } = 10;

    /// <summary>Length of the linear ramp that removes a step at any discontinuity (loss, resume, skip), in frames.</summary>
    public int DeclickFrames { get; init; } = 64;

    /// <summary>How long a concealment takes to fade the repeated audio to silence, in frames.</summary>
    public int ConcealFadeFrames { get; init; } = 480;

    /// <summary>
    /// Time constant of the lateness histogram, in seconds of packets: older arrivals weigh e⁻¹ less per window. The
    /// target covers what the last few windows needed and comes down within a few windows once the jitter does.
    /// </summary>
    public double JitterWindowSeconds { get; init; } = 3;

    /// <summary>
    /// Seconds over which the fastest transit is taken (in two halves). A sender clock that drifts or jumps is
    /// re-based within this window; a run of late packets this long (×1.5) counts as the link's new normal, not a stall.
    /// </summary>
    public double TransitWindowSeconds { get; init; } = 1;

    /// <summary>Seconds of reads over which spare depth must persist before the buffer drops whole packets to shrink.</summary>
    public double ShrinkWindowSeconds { get; init; } = 1;

    /// <summary>Consecutive out-of-order packets (jump over 1000) that make the buffer follow the new sequence (a restarted sender).</summary>
    public int ResyncAfterOutOfOrder { get; init; } = 8;
}
