using System.Globalization;
using System.Net;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Tests.Engine;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>Unmodified <c>jacktrip-cli</c> hub clients rehearsing through our engine on loopback.</summary>
[Collection(RealPeers.Collection)]
public sealed class OurHubWithRealJackTripClientsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan EventLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TwoRealClientsConnectAndDatagramsFlowBothWaysAtThePeriodRate()
    {
        await using var hub = OurHub.Start(["alice", "bob"]);
        using var jack = JackServer.Start("flow");
        using var alice = JackTripPeer.Start(jack, "alice", hub.Port);
        using var bob = JackTripPeer.Start(jack, "bob", hub.Port);

        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), $"{alice}\n{hub.Describe()}");
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), $"{bob}\n{hub.Describe()}");
        var aliceHears = alice.ReceiveRate();
        var bobHears = bob.ReceiveRate();
        var (hubReceives, hubSends) = HubRates(hub, "alice");

        output.WriteLine(Invariant($"datagrams/s: alice receives {aliceHears:0}, bob receives {bobHears:0}; hub receives {hubReceives:0} from alice and sends {hubSends:0} to her"));
        Assert.InRange(aliceHears, 340, 410);
        Assert.InRange(bobHears, 340, 410);
        Assert.InRange(hubReceives, 340, 410);
        Assert.InRange(hubSends, 340, 410);
    }

    [Fact]
    public async Task TwoRealClientsHearEachOtherButNotThemselves()
    {
        await using var hub = OurHub.Start(["alice", "bob"]);
        using var jack = JackServer.Start("hear");
        using var alice = JackTripPeer.Start(jack, "alice", hub.Port);
        using var bob = JackTripPeer.Start(jack, "bob", hub.Port);

        AssertTheyHearEachOtherButNotThemselves(hub, jack, alice, bob);
    }

    /// <summary>
    /// Waits for both to connect, plays a tone into each in turn and records both: the other hears it, the player hears
    /// silence (mix-minus, and nobody else's audio in the mix either).
    /// </summary>
    private void AssertTheyHearEachOtherButNotThemselves(OurHub hub, JackServer jack, JackTripPeer alice, JackTripPeer bob)
    {
        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), $"{alice}\n{hub.Describe()}");
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), $"{bob}\n{hub.Describe()}");

        var heardFromAlice = HearingCheck.PlayToneAndRecord(jack, alice.SendPort(), [bob.ReceivePort(), alice.ReceivePort()], TimeSpan.FromSeconds(2));
        var heardFromBob = HearingCheck.PlayToneAndRecord(jack, bob.SendPort(), [alice.ReceivePort(), bob.ReceivePort()], TimeSpan.FromSeconds(2));
        heardFromAlice.Concat(heardFromBob).ToList().ForEach(h => output.WriteLine(h.ToString()));

        Assert.True(heardFromAlice[0].HearsTheTone, $"bob did not hear alice: {heardFromAlice[0]}\n{hub.Describe()}");
        Assert.True(heardFromAlice[1].HearsSilence, $"alice heard herself or someone else: {heardFromAlice[1]}");
        Assert.True(heardFromBob[0].HearsTheTone, $"alice did not hear bob: {heardFromBob[0]}\n{hub.Describe()}");
        Assert.True(heardFromBob[1].HearsSilence, $"bob heard himself or someone else: {heardFromBob[1]}");
    }

    [Fact]
    public async Task AStrangerSprayingEveryPortFromTheClientsOwnAddressNeitherHearsTheRehearsalNorIsHeardInIt()
    {
        // The attacker sends a loud tone to every UDP port of the hub from 127.0.0.1, the address the real clients
        // use too, before they join and all the while after: whoever spoke first used to own a fresh port.
        await using var hub = OurHub.Start(["alice", "bob"]);
        using var attacker = PortSprayer.Start(IPAddress.Loopback, hub.UdpBase, OurHub.DefaultMaxClients);
        await attacker.WaitForRoundsAsync(50);
        using var jack = JackServer.Start("spray");
        using var alice = JackTripPeer.Start(jack, "alice", hub.Port);
        using var bob = JackTripPeer.Start(jack, "bob", hub.Port);

        AssertTheyHearEachOtherButNotThemselves(hub, jack, alice, bob);
        var strangers = hub.WaitFor<ParticipantStatistics>(e => e.Snapshot.DatagramsFromStrangers > 0, EventLimit);
        var joins = hub.Events.OfType<ParticipantJoined>().ToList();
        foreach (var peer in new[] { alice, bob })
        {
            var admitted = hub.Events.OfType<ParticipantAdmitted>().First(e => e.ClientName == peer.Name);
            var joined = joins.First(e => e.ClientName == peer.Name);
            output.WriteLine(Invariant($"{peer.Name}: handshake → first datagram from its announced port {(joined.Timestamp - admitted.Timestamp).TotalMilliseconds:0} ms"));
        }
        output.WriteLine(Invariant($"attacker: {attacker.Rounds} rounds sent, {attacker.DatagramsReceived} datagrams received; {strangers?.Snapshot}"));

        Assert.Equal(
            new[] { ("alice", alice.BindPort), ("bob", bob.BindPort) },
            joins.Select(j => (j.ClientName, j.RemoteEndPoint.Port)).OrderBy(j => j.ClientName));
        Assert.Equal(0, attacker.DatagramsReceived);
        Assert.NotNull(strangers);
    }

    [Fact]
    public async Task AClientThatQuitsExchangesExitDatagramsWithTheHubAndItsSlotGoesToTheNextClient()
    {
        // Two slots only: carol can join after alice leaves only if alice's slot was freed.
        await using var hub = OurHub.Start(["alice", "bob", "carol"], maxClients: 2);
        await using var gateway = new ImpairedHubGateway(hub.Port, ImpairmentProfile.CleanLan, ImpairmentProfile.CleanLan, seed: 3, TimeSpan.FromSeconds(50));
        using var jack = JackServer.Start("exit");
        using var alice = JackTripPeer.Start(jack, "alice", gateway.Port);
        using var bob = JackTripPeer.Start(jack, "bob", hub.Port);
        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), $"{alice}\n{hub.Describe()}");
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), $"{bob}\n{hub.Describe()}");
        var aliceAdmitted = hub.WaitFor<ParticipantAdmitted>(e => e.ClientName == "alice", EventLimit);
        Assert.NotNull(aliceAdmitted);

        Assert.True(alice.Quit(TimeSpan.FromSeconds(5)), $"alice did not stop:\n{alice}");
        var left = hub.WaitFor<ParticipantLeft>(e => e.ClientName == "alice", EventLimit);
        var link = Assert.Single(gateway.Proxies);
        WaitUntil(() => link.Downstream.ExitDatagrams >= 2, TimeSpan.FromSeconds(3));
        output.WriteLine($"alice → hub: {link.Upstream}\nhub → alice: {link.Downstream}");

        Assert.Contains(alice.Process.Lines, l => l.Contains("sending exit packet", StringComparison.Ordinal));
        Assert.True(link.Upstream.ExitDatagrams >= 1, $"no exit datagram from alice: {link.Upstream}");
        Assert.NotNull(left);
        Assert.Equal(LeaveReason.Exited, left.Reason);
        Assert.True(link.Downstream.ExitDatagrams >= 2, $"the hub did not answer with two exit datagrams: {link.Downstream}");

        using var carol = JackTripPeer.Start(jack, "carol", hub.Port);
        Assert.True(carol.WaitUntilConnected(RealPeers.ConnectLimit), $"{carol}\n{hub.Describe()}");
        var carolAdmitted = hub.WaitFor<ParticipantAdmitted>(e => e.ClientName == "carol", EventLimit);
        Assert.Equal(aliceAdmitted.UdpPort, carolAdmitted?.UdpPort);
    }

    [Fact]
    public async Task AClientRemovedByTheHubIsToldWithExitDatagramsAndStops()
    {
        await using var hub = OurHub.Start(["alice", "bob"]);
        using var jack = JackServer.Start("remove");
        using var alice = JackTripPeer.Start(jack, "alice", hub.Port);
        using var bob = JackTripPeer.Start(jack, "bob", hub.Port);
        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), $"{alice}\n{hub.Describe()}");
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), $"{bob}\n{hub.Describe()}");
        var bobJoined = hub.WaitFor<ParticipantJoined>(e => e.ClientName == "bob", EventLimit);
        Assert.NotNull(bobJoined);

        Assert.True(hub.Engine.Post(new RemoveParticipant(bobJoined.ParticipantId)));
        var left = hub.WaitFor<ParticipantLeft>(e => e.ClientName == "bob", EventLimit);
        var bobStopped = bob.Process.WaitForLine(l => l.Contains("Peer Stopped", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        Assert.Equal(LeaveReason.Removed, left?.Reason);
        Assert.True(bobStopped, $"bob did not notice the hub's exit datagrams:\n{bob}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(null)]
    public async Task RoundTripThroughOurHubIsMeasuredWithJackIoDelayThroughRealClients(int? queue)
    {
        await using var hub = OurHub.Start(["rta", "rtb"]);
        using var jack = JackServer.Start("ourrt");
        using var alice = JackTripPeer.Start(jack, "rta", hub.Port, queue);
        using var bob = JackTripPeer.Start(jack, "rtb", hub.Port, queue);
        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), $"{alice}\n{hub.Describe()}");
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), $"{bob}\n{hub.Describe()}");

        using var meter = RoundTripMeter.Start(jack, alice.SendPort(), bob.ReceivePort());
        var roundTrip = meter.Measure(RealPeers.RoundTripSettle, RealPeers.RoundTripWindow);

        output.WriteLine($"our hub, client -q {queue?.ToString(CultureInfo.InvariantCulture) ?? "default"}, 128 frames: round trip {roundTrip?.ToString() ?? "none"}");
        output.WriteLine($"rtb jitter buffer in the hub: {hub.Snapshot("rta")?.JitterBuffer}");
        Assert.True(roundTrip is not null, $"jack_iodelay heard nothing through our hub:\n{meter.Output}\n{hub.Describe()}");
    }

    private static (double Receives, double Sends) HubRates(OurHub hub, string clientName)
    {
        var first = hub.WaitFor<ParticipantStatistics>(e => e.Snapshot.ClientName == clientName && e.Snapshot.DatagramsReceived > 0, EventLimit)
            ?? throw new InvalidOperationException($"no statistics for {clientName}:\n{hub.Describe()}");
        var later = hub.WaitFor<ParticipantStatistics>(
            e => e.Snapshot.ClientName == clientName && e.Timestamp - first.Timestamp >= TimeSpan.FromSeconds(2), EventLimit)
            ?? throw new InvalidOperationException($"no later statistics for {clientName}:\n{hub.Describe()}");
        var seconds = (later.Timestamp - first.Timestamp).TotalSeconds;
        return ((later.Snapshot.DatagramsReceived - first.Snapshot.DatagramsReceived) / seconds,
            (later.Snapshot.DatagramsSent - first.Snapshot.DatagramsSent) / seconds);
    }

    private static void WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < timeout)
        {
            Thread.Sleep(50);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
