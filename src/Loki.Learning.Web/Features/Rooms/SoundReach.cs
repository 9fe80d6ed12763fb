namespace Loki.Learning.Web.Features.Rooms;

/// "Your sound reaches the others in ≈ N ms", shown to a browser participant beside their own audio state
/// (docs/benchmarks.md §7 has the stages). The browser knows its own ends: what it reports for its microphone path, and
/// how long the room's mix takes from the server's send to its speaker (socket, playback buffer, reported output path),
/// which stands in for the others' way down. The server knows the way up: the one-way delay of this participant's frames
/// (from their audio-clock time to the server, which includes the burst the browser rendered them in), the jitter buffer
/// that evens them out, and half a mix period of waiting for the next period on average.
public static class SoundReach
{
    /// The estimate in ms, or null until both sides have measured (audio connected through this browser, frames flowing).
    /// <param name="me">The reader's roster entry (one-way delay and jitter-buffer figure of their audio).</param>
    /// <param name="inputMs">The browser's reported microphone path, ms (0 when it reports none).</param>
    /// <param name="downMs">Server send → this browser's speaker, ms: socket, playback buffer, reported output path.</param>
    /// <param name="upMs">The browser's own estimate of the way up (half its best ping round trip), used while the server
    /// has no one-way figure (its first statistics come a few seconds after connecting, or the clocks disagree).</param>
    public static double? Estimate(RosterEntry? me, double? inputMs, double? downMs, double? upMs = null)
    {
        if (me is not { AudioConnected: true, Via: AudioVia.Browser } || (me.OneWayMs ?? upMs) is not { } oneWay
            || inputMs is not { } input || downMs is not { } down)
        {
            return null;
        }
        var total = input + Math.Max(0, oneWay) + me.JitterMs + (GetLatencyBudgetHandler.PeriodMs / 2) + down;
        return double.IsFinite(total) && total > 0 ? total : null;
    }
}
