using System.Globalization;
using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>
/// What one <see cref="JitterSimulation"/> run measured after its warm-up. Depth, target and play delay are sampled
/// once per period right after the read, as the engine publishes them; counts are differences of the buffer's statistics.
/// </summary>
public sealed class JitterSimulationResult
{
    private readonly int[] _target;
    private readonly int[] _depth;
    private readonly int[] _delay;
    private readonly double _mixPeriodSeconds;
    private readonly int _warmUpReads;

    internal JitterSimulationResult(JitterSimulationOptions options, double mixPeriodSeconds, int warmUpReads, JitterBufferStatistics atWarmUp, JitterBufferStatistics atEnd, long linkLost, int[] target, int[] depth, int[] delay)
    {
        Options = options;
        _mixPeriodSeconds = mixPeriodSeconds;
        _warmUpReads = warmUpReads;
        _target = target;
        _depth = depth;
        _delay = delay;
        LinkLostDatagrams = linkLost;
        Final = atEnd;
        PeriodsRead = atEnd.PeriodsRead - atWarmUp.PeriodsRead;
        ConcealedPeriods = atEnd.ConcealedPeriods - atWarmUp.ConcealedPeriods;
        Lost = atEnd.Lost - atWarmUp.Lost;
        Late = atEnd.Late - atWarmUp.Late;
        Underruns = atEnd.Underruns - atWarmUp.Underruns;
        Skipped = atEnd.Skipped - atWarmUp.Skipped;
    }

    public JitterSimulationOptions Options { get; }

    /// <summary>The buffer's statistics at the end of the run (warm-up included).</summary>
    public JitterBufferStatistics Final { get; }

    /// <summary>Datagrams the link lost, warm-up included.</summary>
    public long LinkLostDatagrams { get; }

    public long PeriodsRead { get; }

    public long ConcealedPeriods { get; }

    /// <summary>Periods concealed during the warm-up, while the buffer learned the link (not in the other figures).</summary>
    public long WarmUpConcealedPeriods => Final.ConcealedPeriods - ConcealedPeriods;

    /// <summary>Packets concealed as lost: neither the original nor a redundant copy came in time.</summary>
    public long Lost { get; }

    public long Late { get; }

    public long Underruns { get; }

    public long Skipped { get; }

    public double ConcealedShare => PeriodsRead == 0 ? 1 : (double)ConcealedPeriods / PeriodsRead;

    public double PeriodsOf(int frames) => (double)frames / Options.PeriodFrames;

    /// <summary>Percentile (0–100) of the target depth in frames over the periods after the warm-up, or between two times.</summary>
    public int TargetPercentile(double percentile, double fromSeconds = -1, double toSeconds = double.MaxValue) => Percentile(_target, percentile, fromSeconds, toSeconds);

    /// <summary>Percentile of the buffered depth right after each read, in frames.</summary>
    public int DepthPercentile(double percentile, double fromSeconds = -1, double toSeconds = double.MaxValue) => Percentile(_depth, percentile, fromSeconds, toSeconds);

    /// <summary>Percentile of the play delay (latency added over the fastest path), in frames.</summary>
    public int DelayPercentile(double percentile, double fromSeconds = -1, double toSeconds = double.MaxValue) => Percentile(_delay, percentile, fromSeconds, toSeconds);

    public static string TableHeader =>
        "| profile | `-r` | seed | periods read | concealed | lost after redundancy | late | underruns | skipped | target p50 / p99 / max | depth after read p50 / p99 / max | added latency p50 / p99 |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public string TableRow()
    {
        var ms = 1000.0 / Options.SampleRate;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Options.Profile.Name} | {Options.Redundancy} | {Options.Seed} | {PeriodsRead:N0} | {ConcealedPeriods} ({100 * ConcealedShare:0.000}%) | {Lost} | {Late} | {Underruns} | {Skipped} | " +
            $"{P(TargetPercentile(50))} / {P(TargetPercentile(99))} / {P(TargetPercentile(100))} | " +
            $"{P(DepthPercentile(50))} / {P(DepthPercentile(99))} / {P(DepthPercentile(100))} | " +
            $"{DelayPercentile(50) * ms:0.0} / {DelayPercentile(99) * ms:0.0} ms |");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Options.Profile.Name}, -r {Options.Redundancy}, seed {Options.Seed}, {Options.Seconds:0} s: {PeriodsRead} read, {ConcealedPeriods} concealed ({100 * ConcealedShare:0.000}%), " +
        $"lost {Lost}, late {Late}, underruns {Underruns}, skipped {Skipped}, target p50/p99/max {TargetPercentile(50)}/{TargetPercentile(99)}/{TargetPercentile(100)} frames, " +
        $"depth p50/p99/max {DepthPercentile(50)}/{DepthPercentile(99)}/{DepthPercentile(100)} frames, delay p50/p99 {DelayPercentile(50)}/{DelayPercentile(99)} frames, link lost {LinkLostDatagrams}, concealed in the warm-up {WarmUpConcealedPeriods}");

    private string P(int frames) => string.Create(CultureInfo.InvariantCulture, $"{PeriodsOf(frames):0.##}");

    private int Percentile(int[] values, double percentile, double fromSeconds, double toSeconds)
    {
        var from = Math.Max(_warmUpReads, fromSeconds < 0 ? 0 : (int)(fromSeconds / _mixPeriodSeconds));
        var to = Math.Min(values.Length, toSeconds >= values.Length * _mixPeriodSeconds ? values.Length : (int)(toSeconds / _mixPeriodSeconds));
        if (to <= from)
        {
            return 0;
        }
        var window = values[from..to];
        Array.Sort(window);
        var index = (int)Math.Ceiling(percentile / 100 * window.Length) - 1;
        return window[Math.Clamp(index, 0, window.Length - 1)];
    }
}
