namespace Loki.Learning.Web.Features.Music;

/// A bar as a musician counts it: one or more written measures with one number (a bar split around a repeat sign is
/// two measures in the file and one bar on the page).
/// <param name="Number">0 for a pickup, 1 for the first full bar.</param>
/// <param name="Beats">The time signature printed at it…</param>
/// <param name="BeatType">…and its beat unit.</param>
/// <param name="Length">Its real length in beats of <paramref name="BeatType"/>: all its measures' notes.</param>
public sealed record CountedBar(int Number, int Beats, int BeatType, double Length)
{
    public bool IsFull => Math.Abs(Length - Beats) <= ScoreBars.Tolerance;
}

/// Turns a score's written measures into the bars a musician counts, for the beat timeline and the score list.
public static class ScoreBars
{
    /// Lengths closer than this to each other (in beats) are the same: exporters round tuplets to whole divisions.
    public const double Tolerance = 1.0 / 64;

    /// False for rows stored before bar numbers and lengths were read; those are read again from the file.
    public static bool IsCounted(IReadOnlyList<ScoreMeasure> measures) => measures.All(m => m.Number is not null && m.Length is not null);

    /// Consecutive measures with one number make one bar, its length the sum of theirs (in the first one's beat unit).
    public static IReadOnlyList<CountedBar> Count(IReadOnlyList<ScoreMeasure> measures)
    {
        var bars = new List<CountedBar>();
        foreach (var measure in measures)
        {
            var number = measure.CountedNumber;
            if (bars.Count > 0 && bars[^1].Number == number)
            {
                var last = bars[^1];
                bars[^1] = last with { Length = last.Length + measure.RealBeats * last.BeatType / measure.BeatType };
            }
            else
            {
                bars.Add(new CountedBar(number, measure.Beats, measure.BeatType, measure.RealBeats));
            }
        }
        return bars;
    }

    /// The bars a musician counts: the last bar's number (a pickup is bar 0 and not counted).
    public static int CountOf(IReadOnlyList<ScoreMeasure> measures) => measures.Count == 0 ? 0 : measures.Max(m => m.CountedNumber);
}
