namespace Loki.Learning.Web.Features.Music;

public enum LatencyBand
{
    /// ≤ 25 ms one way: tight rhythmic playing works (Chafe et al.).
    Tight,
    /// ≤ 50 ms: workable when one site leads and the others follow.
    LeaderFollower,
    /// Above: listening, talking, lecturing.
    Listen,
}

/// Puts a delay in musicians' terms: which note value it is closest to at a tempo.
public static class MusicalLatency
{
    public static LatencyBand Band(double oneWayMs) => oneWayMs <= 25 ? LatencyBand.Tight : oneWayMs <= 50 ? LatencyBand.LeaderFollower : LatencyBand.Listen;

    /// The note value (4 = quarter, 8 = eighth, … 64) whose length at <paramref name="bpm"/> is nearest to the delay
    /// on a logarithmic scale; 0 when the delay is shorter than half a 64th note.
    public static int NearestNoteValue(double delayMs, double bpm)
    {
        var quarterMs = 60_000.0 / bpm;
        if (delayMs < quarterMs / 32)
        {
            return 0;
        }
        var best = 4;
        var bestDistance = double.MaxValue;
        foreach (var value in new[] { 4, 8, 16, 32, 64 })
        {
            var distance = Math.Abs(Math.Log(delayMs / (quarterMs * 4 / value)));
            if (distance < bestDistance)
            {
                best = value;
                bestDistance = distance;
            }
        }
        return best;
    }
}
