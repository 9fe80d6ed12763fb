using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// The same checks as for our hub, run against JackTrip's own hub: proves the harness measures what it
/// claims and gives the reference round trip in the same test run.
/// </summary>
[Collection(RealPeers.Collection)]
public sealed class JackTripReferenceHubTests(ITestOutputHelper output)
{
    [Fact]
    public void TwoRealClientsOfJackTripsOwnHubHearEachOtherButNotThemselves()
    {
        using var hub = JackTripReferenceHub.Start();
        using var jack = JackServer.Start("refc");
        using var alice = JackTripPeer.Start(jack, "ra", hub.Port);
        using var bob = JackTripPeer.Start(jack, "rb", hub.Port);

        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), alice.ToString());
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), bob.ToString());
        var heard = HearingCheck.PlayToneAndRecord(jack, alice.SendPort(), [bob.ReceivePort(), alice.ReceivePort()], TimeSpan.FromSeconds(2));
        heard.ToList().ForEach(h => output.WriteLine(h.ToString()));

        Assert.True(heard[0].HearsTheTone, $"{heard[0]}\n{hub.Process}");
        Assert.True(heard[1].HearsSilence, heard[1].ToString());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(null)]
    public void RoundTripThroughJackTripsOwnHubIsMeasuredWithJackIoDelay(int? queue)
    {
        using var hub = JackTripReferenceHub.Start();
        using var jack = JackServer.Start("refrt");
        using var alice = JackTripPeer.Start(jack, "rta", hub.Port, queue);
        using var bob = JackTripPeer.Start(jack, "rtb", hub.Port, queue);
        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), alice.ToString());
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), bob.ToString());

        using var meter = RoundTripMeter.Start(jack, alice.SendPort(), bob.ReceivePort());
        var roundTrip = meter.Measure(RealPeers.RoundTripSettle, RealPeers.RoundTripWindow);

        output.WriteLine($"JackTrip's hub, client -q {queue?.ToString() ?? "default"}, 128 frames: round trip {roundTrip?.ToString() ?? "none"}");
        Assert.True(roundTrip is not null, $"jack_iodelay heard nothing:\n{meter.Output}\n{hub.Process}");
    }

    [Fact]
    public async Task ARealClientBehindTheImpairmentGatewayReachesJackTripsHubAndIsImpaired()
    {
        using var hub = JackTripReferenceHub.Start();
        await using var gateway = new ImpairedHubGateway(hub.Port, ImpairmentProfile.OnePercentLoss, ImpairmentProfile.CleanLan, seed: 21, TimeSpan.FromSeconds(40));
        using var jack = JackServer.Start("refgw");
        using var alice = JackTripPeer.Start(jack, "gwa", gateway.Port);
        using var bob = JackTripPeer.Start(jack, "gwb", hub.Port);

        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), alice.ToString());
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), bob.ToString());
        var rate = alice.ReceiveRate();

        var proxy = Assert.Single(gateway.Proxies);
        output.WriteLine($"through the gateway: {rate:0} packets/s back; upstream {proxy.Upstream}; downstream {proxy.Downstream}");
        // 375 packets/s nominal; JACK's dummy clock runs late on a busy machine, so the floor is generous.
        Assert.InRange(rate, 250, 450);
        Assert.True(proxy.Upstream.Delivered > 500 && proxy.Downstream.Delivered > 500, $"upstream {proxy.Upstream}, downstream {proxy.Downstream}");
        Assert.True(proxy.Upstream.Lost > 0, $"1% loss lost nothing: {proxy.Upstream}");
    }
}
