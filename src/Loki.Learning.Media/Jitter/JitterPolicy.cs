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
    /// <paramref name="options"/> as they are for <see cref="JitterPolicy.Safe"/>; for <see cref="JitterPolicy.Tight"/>
    /// with the maximum depth lowered to <paramref name="tightMilliseconds"/> (the buffer's own cap on its target and
    /// its ring: a packet beyond it drops the oldest audio and playing goes on).
    /// </summary>
    public static JitterBufferOptions For(this JitterBufferOptions options, JitterPolicy policy, double tightMilliseconds = DefaultTightMilliseconds) =>
        policy == JitterPolicy.Tight
            ? options with { MaxDepthMilliseconds = Math.Min(options.MaxDepthMilliseconds, tightMilliseconds) }
            : options;
}
