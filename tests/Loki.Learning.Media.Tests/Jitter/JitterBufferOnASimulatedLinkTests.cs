using Loki.Learning.Hub.LinkSimulation;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Jitter;

/// <summary>
/// The real jitter buffer on a seeded link in virtual time (<see cref="JitterSimulation"/>): a JackTrip-like sender with
/// its own 0.1 ms of scheduling jitter, the impairment model, and a mix clock 50 ppm slower than the sender that
/// receives once per period and reads once per period, as the engine does. Simulations, not timing measurements.
/// </summary>
public sealed class JitterBufferOnASimulatedLinkTests(ITestOutputHelper output)
{
    private const int Period = 128;

    // Lateness is measured against the fastest transit of the last second, so the mix clock's drift adds up to a few
    // frames to the play delay; one histogram bin (a third of a millisecond) of tolerance.
    private const int Bin = 16;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void WithRedundancyTwoTheTargetLinkConcealsAtMostOnePeriodInTwoThousand(int seed)
    {
        var result = Run(new JitterSimulationOptions(ImpairmentProfile.Jitter5MsAndOnePercentLoss, Seconds: 63, Redundancy: 2, Seed: seed));

        Assert.True(result.PeriodsRead >= 60 * 375 * 0.99, result.ToString());
        Assert.True(result.ConcealedShare <= 0.0005, result.ToString());
        // ±5 ms of link jitter needs about four periods of play delay, and the copy that repairs a loss comes one
        // period after the original: five periods, never the old peak-plus-margins (17–75 periods on real clients).
        Assert.InRange(result.TargetPercentile(99), 3 * Period, 5 * Period);
        Assert.InRange(result.DepthPercentile(99), 2 * Period, 5 * Period);
        Assert.InRange(result.DelayPercentile(99), 3 * Period, (5 * Period) + Bin);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FromTheFirstPacketTheBufferLearnsTheLinkWithinAFewPeriods(int seed)
    {
        var result = Run(new JitterSimulationOptions(ImpairmentProfile.Jitter5MsAndOnePercentLoss, Seconds: 10, Redundancy: 2, Seed: seed));

        // It starts playing at once with no depth; lateness up to 20 ms beyond the target counts at once, so the first
        // late packets size the buffer and only they (and the link's first losses) are concealed.
        Assert.InRange(result.WarmUpConcealedPeriods, 0, 12);
    }

    [Fact]
    public void OnACleanLanTheBufferStaysWithinTwoPeriods()
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var result = Run(new JitterSimulationOptions(ImpairmentProfile.CleanLan, Seconds: 63, Redundancy: 1, Seed: seed));

            Assert.Equal(0, result.ConcealedPeriods);
            Assert.InRange(result.TargetPercentile(100), 0, 2 * Period);
            Assert.InRange(result.DepthPercentile(100), 0, 2 * Period);
            Assert.InRange(result.DelayPercentile(100), 0, (2 * Period) + Bin);
        }
    }

    [Fact]
    public void WithoutRedundancyOnlyThePacketsTheLinkLostAreConcealed()
    {
        var result = Run(new JitterSimulationOptions(ImpairmentProfile.Jitter5MsAndOnePercentLoss, Seconds: 63, Redundancy: 1, Seed: 5));

        var linkLoss = (double)result.LinkLostDatagrams / (63 * 375);
        Assert.InRange(linkLoss, 0.008, 0.012);
        // Each lost packet costs one concealed period; the depth adds at most a few on top (0.05% of the periods).
        Assert.InRange(result.ConcealedShare, linkLoss - 0.002, linkLoss + 0.001);
        Assert.True(result.ConcealedPeriods <= result.Lost + (0.0005 * result.PeriodsRead) + 2, result.ToString());
        Assert.InRange(result.TargetPercentile(99), 3 * Period, 5 * Period);
    }

    [Theory]
    [InlineData("clean LAN")]
    [InlineData("±5 ms jitter + 1% loss")]
    public void AfterOneStallOfTheSenderTheDepthAndTheTargetReturnWithinSeconds(string profileName)
    {
        var (calm, stalled) = RunWithAndWithoutAStall(profileName, seed: 7, sendsBacklog: true);

        // The stall itself is concealed (about 150 ms = 56 periods); the backlog the sender then sends at once is
        // dropped instead of being played late.
        Assert.InRange(stalled.ConcealedPeriods - calm.ConcealedPeriods, 40, 80);
        Assert.True(stalled.Skipped >= 40, stalled.ToString());
        // Within half a second the backlog is gone and the audio buffered is what it would have been without the stall.
        Assert.InRange(stalled.DepthPercentile(100, 20.5, 40), 0, calm.DepthPercentile(100, 20.5, 40) + Period);
        // One stall is not counted as lateness: the target moves by a period at most, and five seconds later it is
        // where it would have been without the stall.
        Assert.InRange(stalled.TargetPercentile(100, 20, 25), 0, calm.TargetPercentile(100, 20, 25) + Period);
        Assert.InRange(stalled.TargetPercentile(100, 25, 40), 0, calm.TargetPercentile(100, 25, 40));
        Assert.InRange(stalled.DelayPercentile(99, 25, 40), 0, calm.DelayPercentile(99, 25, 40) + Bin);
    }

    [Theory]
    [InlineData("clean LAN")]
    [InlineData("±5 ms jitter + 1% loss")]
    public void ASenderThatGoesOnFromWhereItStoppedIsPlayedNotDropped(string profileName)
    {
        var (calm, stalled) = RunWithAndWithoutAStall(profileName, seed: 9, sendsBacklog: false);

        // The 150 ms the sender never sent are concealed while the buffer waits; nothing it sent afterwards is lost or
        // dropped as late, and the buffer did not skip ahead.
        Assert.InRange(stalled.ConcealedPeriods - calm.ConcealedPeriods, 40, 70);
        Assert.InRange(stalled.Lost, 0, calm.Lost + 2);
        Assert.InRange(stalled.Late, 0, calm.Late + 2);
        // Every later packet is 150 ms late against the old fastest transit; within a second and a half the buffer
        // measures from the new one, and neither the target nor the audio buffered moved.
        Assert.InRange(stalled.TargetPercentile(100, 20, 40), 0, calm.TargetPercentile(100, 20, 40));
        Assert.InRange(stalled.DepthPercentile(100, 20, 40), 0, calm.DepthPercentile(100, 20, 40));
        Assert.InRange(stalled.DelayPercentile(99, 21.5, 40), 0, calm.DelayPercentile(99, 21.5, 40) + Bin);
    }

    [Theory]
    [InlineData("wifi")]
    [InlineData("ugly wired")]
    public void OnBusierLinksTheDepthStaysBounded(string profileName)
    {
        var result = Run(new JitterSimulationOptions(ImpairmentProfile.Find(profileName)!, Seconds: 63, Redundancy: 2, Seed: 11));

        Assert.True(result.PeriodsRead >= 60 * 375 * 0.99, result.ToString());
        // Bursts of loss are concealed whatever the depth; the depth follows the link's jitter, not its worst moment.
        Assert.InRange(result.TargetPercentile(99), Period, 6 * Period);
        Assert.InRange(result.DelayPercentile(99), Period, 12 * Period);
        Assert.True(result.ConcealedShare < 0.01, result.ToString());
    }

    /// <summary>The same link and seed for 40 s, without and with one 150 ms stall of the sender at 20 s.</summary>
    private (JitterSimulationResult Calm, JitterSimulationResult Stalled) RunWithAndWithoutAStall(string profileName, int seed, bool sendsBacklog)
    {
        var calm = new JitterSimulationOptions(ImpairmentProfile.Find(profileName)!, Seconds: 40, Redundancy: 2, Seed: seed);
        return (Run(calm), Run(calm with { StallAtSeconds = 20, StallMilliseconds = 150, StallSendsBacklog = sendsBacklog }));
    }

    private JitterSimulationResult Run(JitterSimulationOptions options)
    {
        var result = JitterSimulation.Run(options);
        output.WriteLine(result.ToString());
        return result;
    }
}
