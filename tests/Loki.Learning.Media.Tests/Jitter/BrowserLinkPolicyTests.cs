using Loki.Learning.Hub.LinkSimulation;
using Loki.Learning.Media.Jitter;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Jitter;

/// <summary>
/// The room's two policies for a bad link, on the real jitter buffer fed by a browser's socket over the seeded TCP
/// model in virtual time (<see cref="BrowserLinkSimulation"/>): the same link, the same seed, only the policy differs.
/// Tight keeps the delay and pays in concealment; safe grows on the bad link, conceals less, and comes back down once
/// the link heals. Simulations, not timing measurements.
/// </summary>
public sealed class BrowserLinkPolicyTests(ITestOutputHelper output)
{
    private const double Heal = 40;
    private const double End = 90;

    private (BrowserLinkResult Tight, BrowserLinkResult Safe) Both(int seed)
    {
        var tight = BrowserLinkSimulation.Run(new BrowserLinkOptions(ImpairmentProfile.Jitter5MsAndOnePercentLoss, JitterPolicy.Tight, End, seed, HealAtSeconds: Heal));
        var safe = BrowserLinkSimulation.Run(new BrowserLinkOptions(ImpairmentProfile.Jitter5MsAndOnePercentLoss, JitterPolicy.Safe, End, seed, HealAtSeconds: Heal));
        output.WriteLine(BrowserLinkCommand.TableHeader);
        output.WriteLine(BrowserLinkCommand.Row(tight));
        output.WriteLine(BrowserLinkCommand.Row(safe));
        return (tight, safe);
    }

    private static double Median(BrowserLinkResult result, double from, double to) =>
        Percentile(result, from, to, 0.5);

    private static double Percentile(BrowserLinkResult result, double from, double to, double quantile)
    {
        var period = (double)BrowserLinkOptions.PeriodFrames / BrowserLinkOptions.SampleRate;
        var window = result.UpAddedLatency
            .Skip((int)((from - result.Options.WarmUpSeconds) / period))
            .Take((int)((to - from) / period))
            .Order()
            .ToList();
        return window[(int)(quantile * (window.Count - 1))];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void OnABadLinkTightKeepsTheDelayShortAndConcealsWhatComesLate(int seed)
    {
        var (tight, safe) = Both(seed);

        // While the link is bad: tight plays within its four periods (10.7 ms) most of the time, safe has grown past them.
        var tightMedian = Median(tight, 10, Heal);
        var safeMedian = Median(safe, 10, Heal);
        output.WriteLine($"bad link, median added latency: tight {tightMedian:F1} ms, safe {safeMedian:F1} ms");
        Assert.True(tightMedian <= JitterPolicies.DefaultTightMilliseconds + 5.4, $"tight at {tightMedian:F1} ms");
        Assert.True(safeMedian > tightMedian + 2.6, $"safe at {safeMedian:F1} ms, tight at {tightMedian:F1} ms");

        // The price: tight conceals more of the same link than safe.
        Assert.True(tight.Up.Concealed > safe.Up.Concealed, $"tight concealed {tight.Up.Concealed}, safe {safe.Up.Concealed}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SafeGrowsOnABadLinkAndShrinksBackWhenItHeals(int seed)
    {
        var (_, safe) = Both(seed);

        var bad = Percentile(safe, 10, Heal, 0.9);
        // The buffer gives back its depth a little at a time (its shrink rules): down to the clean link's within 25 s.
        var healed = Percentile(safe, Heal + 25, End, 0.99);
        output.WriteLine($"safe: added latency p90 on the bad link {bad:F1} ms, p99 from 25 s after it healed {healed:F1} ms");
        Assert.True(bad > JitterPolicies.DefaultTightMilliseconds, $"safe did not grow: {bad:F1} ms");
        Assert.True(healed <= JitterPolicies.DefaultTightMilliseconds, $"safe did not come back down: {healed:F1} ms");
    }

    [Fact]
    public void OnAQuietMachineWithAnOccasionalHiccupTightStaysNearTheBulkAndSafeCoversTheHiccup()
    {
        // The browser's frames on a quiet machine (docs/benchmarks.md §7.1): within a millisecond or two of their
        // audio-clock time, but every 2 s a thread hiccup holds them for 11 ms and they leave together.
        var tight = BrowserLinkSimulation.Run(new BrowserLinkOptions(ImpairmentProfile.CleanLan, JitterPolicy.Tight, 60, 1, HiccupEverySeconds: 2, HiccupMilliseconds: 11));
        var safe = BrowserLinkSimulation.Run(new BrowserLinkOptions(ImpairmentProfile.CleanLan, JitterPolicy.Safe, 60, 1, HiccupEverySeconds: 2, HiccupMilliseconds: 11));
        output.WriteLine(BrowserLinkCommand.TableHeader);
        output.WriteLine(BrowserLinkCommand.Row(tight));
        output.WriteLine(BrowserLinkCommand.Row(safe));

        // Tight holds what the bulk needs, two periods at most, and fades over each hiccup's late frames (a few periods
        // every 2 s, well under 1%); safe waits for them, at the hiccup's length, and conceals nothing.
        Assert.True(tight.Up.AddedLatencyP50 <= 2 * 2.67, $"tight at {tight.Up.AddedLatencyP50:F1} ms");
        Assert.True(safe.Up.AddedLatencyP50 >= 8, $"safe at {safe.Up.AddedLatencyP50:F1} ms");
        Assert.True(tight.Up.ConcealedShare < 0.01, $"tight concealed {tight.Up.ConcealedShare:P3}");
        Assert.True(tight.Up.Glitches <= 2 * 30, $"tight: {tight.Up.Glitches} glitches in 57 s");
        Assert.True(safe.Up.Concealed <= tight.Up.Concealed, $"safe concealed {safe.Up.Concealed}, tight {tight.Up.Concealed}");
    }

    [Fact]
    public void OnACleanLinkBothPoliciesAreTheSame()
    {
        var tight = BrowserLinkSimulation.Run(new BrowserLinkOptions(ImpairmentProfile.CleanLan, JitterPolicy.Tight, 30, 1));
        var safe = BrowserLinkSimulation.Run(new BrowserLinkOptions(ImpairmentProfile.CleanLan, JitterPolicy.Safe, 30, 1));

        Assert.Equal(0, tight.Up.Concealed);
        Assert.Equal(safe.Up, tight.Up);
    }
}
