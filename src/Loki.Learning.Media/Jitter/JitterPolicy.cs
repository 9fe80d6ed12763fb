namespace Loki.Learning.Media.Jitter;

/// <summary>
/// What a room's jitter buffers do when a link turns bad (late packets, a TCP connection stalled behind a lost segment):
/// keep the latency and conceal, or grow the delay and play everything. The host chooses per room.
/// </summary>
public enum JitterPolicy
{
    /// <summary>
    /// Lessons: the buffer may grow on a bad link, up to <see cref="JitterBufferOptions.MaxDepthMilliseconds"/>, so late
    /// audio is played rather than concealed, and shrinks back when the link recovers (the buffer's own adaptive depth).
    /// </summary>
    Safe = 0,

    /// <summary>
    /// Ensemble playing: the buffer never holds more than the tight depth; what arrives later is concealed, and a
    /// backlog after a stall is dropped down to the target at once, so everyone keeps the same small delay.
    /// </summary>
    Tight = 1,
}

/// <summary>The buffer options that carry out a <see cref="JitterPolicy"/>.</summary>
public static class JitterPolicies
{
    /// <summary>
    /// Default tight depth: four 128-frame periods at 48 kHz (10.67 ms), the design's buffer for a jittery link. The
    /// buffer's ring keeps two packets more, so at most six periods (16 ms) are ever held.
    /// </summary>
    public const double DefaultTightMilliseconds = 4 * 128 * 1000.0 / 48000;

    /// <summary>
    /// Share of packets a tight buffer may leave late (0.2%, against the default 0.02%). With the default, the target
    /// is about the latest packet of the last few seconds: on a quiet machine a browser's frames arrive within 1–2 ms
    /// of their audio-clock time but a hiccup of the browser's or the server's threads every few seconds makes a few of
    /// them 10 ms late, and the target followed those (docs/benchmarks.md §7.1). Tight covers the bulk and fades over
    /// the rare late ones instead.
    /// </summary>
    public const double TightLateShare = 0.002;

    /// <summary>
    /// A tight buffer takes lateness one period (2.67 ms) beyond its target as a hiccup of the sender
    /// (<see cref="JitterBufferOptions.StallMilliseconds"/>: 20 ms by default) and sizes for hiccups only when they recur
    /// often enough to pass <see cref="TightLateShare"/> (about one a second: docs/benchmarks.md §3.2); the backlog after
    /// one is dropped within an eighth of a second once more than a period of it is spare
    /// (<see cref="JitterBufferOptions.DryMomentsKeepDelay"/>, <see cref="JitterBufferOptions.QuickShrinkMilliseconds"/>).
    /// The target covers the link's ordinary jitter.
    /// </summary>
    public const double TightStallMilliseconds = 128 * 1000.0 / 48000;

    /// <summary>
    /// <paramref name="options"/> as they are for <see cref="JitterPolicy.Safe"/>; for <see cref="JitterPolicy.Tight"/>
    /// with the maximum depth lowered to <paramref name="tightMilliseconds"/> (the buffer's own cap on its target and
    /// its ring: a packet beyond it drops the oldest audio and playing goes on), and sized for the bulk of the packets
    /// rather than the latest and not holding a hiccup's time (<see cref="TightLateShare"/>, <see cref="TightStallMilliseconds"/>).
    /// </summary>
    public static JitterBufferOptions For(this JitterBufferOptions options, JitterPolicy policy, double tightMilliseconds = DefaultTightMilliseconds) =>
        policy == JitterPolicy.Tight
            ? options with
            {
                MaxDepthMilliseconds = Math.Min(options.MaxDepthMilliseconds, tightMilliseconds),
                LateShare = Math.Max(options.LateShare, TightLateShare),
                StallMilliseconds = Math.Min(options.StallMilliseconds, TightStallMilliseconds),
                DryMomentsKeepDelay = false,
                QuickShrinkMilliseconds = Math.Min(options.QuickShrinkMilliseconds, TightStallMilliseconds),
            }
            : options;
}
