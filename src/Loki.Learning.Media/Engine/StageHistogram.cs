namespace Loki.Learning.Media.Engine;

/// <summary>
/// How long one stage of a participant's path held its audio: a fixed histogram of 0.1 ms bins up to 100 ms (longer
/// values land in the last bin). One thread records; any thread reads (a read racing a record may miss that one value).
/// Allocation-free after construction, small enough for one per participant and stage.
/// </summary>
internal sealed class StageHistogram
{
    private const int Bins = 1000;
    private const double BinMilliseconds = 0.1;
    private readonly long[] _counts = new long[Bins + 1];
    private long _total;

    /// <summary>Records one duration in ticks of <paramref name="frequency"/> (per second).</summary>
    public void Record(long ticks, long frequency)
    {
        var bin = (int)Math.Clamp(ticks * 10_000 / Math.Max(1, frequency), 0, Bins);
        Volatile.Write(ref _counts[bin], _counts[bin] + 1);
        Volatile.Write(ref _total, _total + 1);
    }

    /// <summary>The duration that <paramref name="fraction"/> of the recorded ones stay within, ms; <c>null</c> when none.</summary>
    public double? Percentile(double fraction)
    {
        var total = Volatile.Read(ref _total);
        if (total == 0)
        {
            return null;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(total * fraction));
        var seen = 0L;
        for (var i = 0; i <= Bins; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return (i + 0.5) * BinMilliseconds;
            }
        }
        return Bins * BinMilliseconds;
    }
}
