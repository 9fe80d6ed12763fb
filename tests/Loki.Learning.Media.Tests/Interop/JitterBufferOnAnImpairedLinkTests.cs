using System.Globalization;
using Loki.Learning.Media.Engine;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// A real <c>jacktrip-cli</c> client whose uplink runs through the impairment proxy with the target
/// profile (±5 ms jitter, 1% loss), measured by our hub's jitter buffer statistics after a warm-up.
/// Target: at most 0.05% of periods concealed with at most 4 periods (512 frames) of buffer.
/// </summary>
[Collection(RealPeers.Collection)]
public sealed class JitterBufferOnAnImpairedLinkTests(ITestOutputHelper output)
{
    private const int PeriodFrames = 128;
    private const int MaxBufferFrames = 4 * PeriodFrames;
    private const double MaxConcealedShare = 0.0005;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task WithRedundancyTwoAJitteryLossyLinkConcealsAtMostOnePeriodInTwoThousandWithinFourPeriodsOfBuffer()
    {
        var result = await MeasureAsync(redundancy: 2, TimeSpan.FromSeconds(30));

        Assert.True(result.MaxTargetDepthFrames <= MaxBufferFrames, $"buffer grew past 4 periods: {result}");
        Assert.True(result.ConcealedShare <= MaxConcealedShare, $"too many concealed periods: {result}");
    }

    [Fact]
    public async Task WithoutRedundancyOnlyTheLostPacketsAreConcealedNotTheJitterWithinFourPeriodsOfBuffer()
    {
        // Without redundancy every lost packet must be concealed (1% ≫ 0.05%); what the buffer controls is that
        // jitter adds no concealment beyond the losses.
        var result = await MeasureAsync(redundancy: 1, TimeSpan.FromSeconds(20));

        Assert.True(result.MaxTargetDepthFrames <= MaxBufferFrames, $"buffer grew past 4 periods: {result}");
        Assert.True(result.ConcealedPeriods <= result.Lost + (MaxConcealedShare * result.PeriodsRead),
            $"jitter caused concealment beyond the lost packets: {result}");
    }

    private async Task<Measurement> MeasureAsync(int redundancy, TimeSpan length, ImpairmentProfile? impairment = null)
    {
        var profile = impairment ?? ImpairmentProfile.Jitter5MsAndOnePercentLoss;
        await using var hub = OurHub.Start(["impaired"], statisticsInterval: TimeSpan.FromSeconds(1));
        await using var gateway = new ImpairedHubGateway(hub.Port, profile, ImpairmentProfile.CleanLan, seed: 2024, length + TimeSpan.FromSeconds(30));
        using var jack = JackServer.Start("jit");
        using var client = JackTripPeer.Start(jack, "impaired", gateway.Port, redundancy: redundancy);
        Assert.True(client.WaitUntilConnected(RealPeers.ConnectLimit), $"{client}\n{hub.Describe()}");

        var start = hub.WaitFor<ParticipantStatistics>(e => e.Snapshot.ClientName == "impaired" && e.Snapshot.JitterBuffer.PeriodsRead > 0, TimeSpan.FromSeconds(10))
            ?? throw new InvalidOperationException($"no statistics:\n{hub.Describe()}");
        await Task.Delay(WarmUp);
        var first = Latest(hub);
        await Task.Delay(length);
        var last = Latest(hub);

        var during = hub.Events.OfType<ParticipantStatistics>()
            .Where(e => e.Snapshot.ClientName == "impaired" && e.Timestamp >= first.Timestamp && e.Timestamp <= last.Timestamp)
            .Select(e => e.Snapshot.JitterBuffer).ToList();
        var link = Assert.Single(gateway.Proxies);
        var measurement = new Measurement(
            profile.Name,
            redundancy,
            (last.Timestamp - first.Timestamp).TotalSeconds,
            last.Snapshot.JitterBuffer.PeriodsRead - first.Snapshot.JitterBuffer.PeriodsRead,
            last.Snapshot.JitterBuffer.ConcealedPeriods - first.Snapshot.JitterBuffer.ConcealedPeriods,
            last.Snapshot.JitterBuffer.Lost - first.Snapshot.JitterBuffer.Lost,
            last.Snapshot.JitterBuffer.Late - first.Snapshot.JitterBuffer.Late,
            during.Max(j => j.TargetDepthFrames),
            during.Max(j => j.DepthFrames),
            during.Max(j => j.JitterMicroseconds),
            link.Upstream.ToString());
        output.WriteLine(measurement.ToString());
        foreach (var e in hub.Events.OfType<ParticipantStatistics>().Where(e => e.Snapshot.ClientName == "impaired"))
        {
            var j = e.Snapshot.JitterBuffer;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(e.Timestamp - start.Timestamp).TotalSeconds,5:0.0} s: read {j.PeriodsRead}, concealed {j.ConcealedPeriods}, lost {j.Lost}, late {j.Late}, underruns {j.Underruns}, depth {j.DepthFrames}/{j.TargetDepthFrames}, jitter {j.JitterMicroseconds / 1000:0.0} ms"));
        }
        return measurement;
    }

    private static ParticipantStatistics Latest(OurHub hub) =>
        hub.Events.OfType<ParticipantStatistics>().Last(e => e.Snapshot.ClientName == "impaired");

    private sealed record Measurement(
        string Profile,
        int Redundancy,
        double Seconds,
        long PeriodsRead,
        long ConcealedPeriods,
        long Lost,
        long Late,
        int MaxTargetDepthFrames,
        int MaxDepthFrames,
        double MaxJitterMicroseconds,
        string Link)
    {
        public double ConcealedShare => PeriodsRead == 0 ? 1 : (double)ConcealedPeriods / PeriodsRead;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Profile}, jacktrip -r {Redundancy}, {Seconds:0.0} s: {PeriodsRead} periods read, {ConcealedPeriods} concealed ({100 * ConcealedShare:0.000} %), " +
            $"lost {Lost}, late {Late}, buffer target max {MaxTargetDepthFrames} frames ({MaxTargetDepthFrames / (double)PeriodFrames:0.00} periods), " +
            $"depth max {MaxDepthFrames} frames, measured jitter max {MaxJitterMicroseconds / 1000:0.00} ms; link: {Link}");
    }
}
