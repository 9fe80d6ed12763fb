using System.Net;
using Loki.Learning.Hub.LoadGeneration;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>The load generator speaks the JackTrip client protocol well enough for both hubs to answer it.</summary>
[Collection(RealPeers.Collection)]
public sealed class LoadGeneratorInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoGeneratedClientsHearEachOtherThroughOurHubAndAreAnsweredWhenTheyLeave()
    {
        await using var hub = OurHub.Start(["*"]);

        var report = Run(hub.Port, clients: 2);

        Assert.Equal(2, report.Admitted);
        Assert.True(report.Received >= 0.9 * report.Sent, $"{report.Received} of {report.Sent} datagrams came back");
        Assert.Equal(0, report.Malformed);
        Assert.True(report.Latency.Count > 0, "no marker came back through the mix");
        Assert.Equal(4, report.ExitsReceived);
    }

    [Fact]
    public void TwoGeneratedClientsHearEachOtherThroughJackTripsOwnHub()
    {
        using var hub = JackTripReferenceHub.Start();

        var report = Run(hub.Port, clients: 2);

        Assert.Equal(2, report.Admitted);
        Assert.True(report.Received >= 0.9 * report.Sent, $"{report.Received} of {report.Sent} datagrams came back");
        Assert.Equal(0, report.Malformed);
        Assert.True(report.Latency.Count > 0, "no marker came back through JackTrip's patching");
    }

    private LoadReport Run(int port, int clients)
    {
        var log = new StringWriter();
        var options = new LoadOptions(IPAddress.Loopback, port, clients, TimeSpan.FromSeconds(3), Channels: 2, Bits: 16,
            Period: 128, SampleRate: 48000, Redundancy: 1, MarkerEveryPeriods: 32, NamePrefix: $"lg{Random.Shared.Next(1000)}-",
            HandshakeTimeout: TimeSpan.FromSeconds(5));
        var report = new LoadGenerator(options, log).Run(CancellationToken.None);
        report.WriteTo(log);
        output.WriteLine(log.ToString());
        return report;
    }
}
