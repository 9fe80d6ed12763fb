using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Tests.Interop;
using Loki.Learning.Media.Tests.JackTrip;
using Microsoft.Extensions.Time.Testing;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// A client's UDP port belongs to whoever made its handshake: strangers spraying the port range neither hear the room
/// nor are heard in it, a client behind NAT still gets in, and the ports handed out do not follow the order of joins.
/// </summary>
[Collection(LoopbackEngineCollection.Name)]
public sealed class MediaEngineSourceBindingTests
{
    private const int Slots = 16;

    private static MediaEngineOptions RangeOptions(int udpBase) => LoopbackOptions with { UdpBasePort = udpBase, MaxClients = Slots };

    [Theory]
    [InlineData("127.0.0.2")] // another address: never a candidate
    [InlineData("127.0.0.1")] // the clients' own address: the announced port must win over the attacker's
    public async Task AStrangerSprayingEveryPortBeforeAndDuringTheJoinIsNeitherHeardNorHearsAnything(string attackerAddress)
    {
        var udpBase = FreePorts.Range(Slots);
        await using var engine = new MediaEngine(RangeOptions(udpBase), new AllowListAdmissionPolicy("band", ["alice", "bob"]));
        engine.Start();
        using var attacker = PortSprayer.Start(IPAddress.Parse(attackerAddress), udpBase, Slots);
        await attacker.WaitForRoundsAsync(20);

        await using var alice = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "alice");
        await using var bob = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "bob");
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(
            alice.StreamAsync(30, (frame, _) => Sine(frame, 1000, 0.5f), stop: done.Token),
            bob.StreamAsync(30, (frame, _) => 0f, stop: done.Token));
        var bobHeard = await bob.HeardAfterAsync(bob.FramesReceived, settleFrames: 19200);
        var aliceHeard = await alice.HeardAfterAsync(alice.FramesReceived);
        var joins = new List<ParticipantJoined>();
        var strangers = 0L;
        while (engine.Events.TryRead(out var next))
        {
            if (next is ParticipantJoined joined)
            {
                joins.Add(joined);
            }
            else if (next is DatagramRejected { Error: JackTripError.UnknownSource } rejected)
            {
                strangers += rejected.Count;
            }
        }
        await done.CancelAsync();
        await streaming;
        var attackerReceived = attacker.DatagramsReceived;

        // Bob hears Alice's 1 kHz tone at its level, with no 3 kHz tone of the attacker in it; Alice hears Bob's silence.
        Assert.InRange(TypicalRms(bobHeard), 0.5 / Math.Sqrt(2) * 0.9, 0.5 / Math.Sqrt(2) * 1.1);
        Assert.InRange(Frequency(bobHeard), 950, 1050);
        Assert.InRange(Rms(aliceHeard), 0, 0.001);
        Assert.Equal(0, attackerReceived);
        Assert.Equal(
            new[] { ("alice", alice.LocalEndPoint), ("bob", bob.LocalEndPoint) },
            joins.Select(j => (j.ClientName, j.RemoteEndPoint)).OrderBy(j => j.ClientName));
        Assert.True(strangers > 0, "the attacker's datagrams were not counted");
    }

    [Fact]
    public async Task AClientBehindNatIsAdoptedWhenNothingComesFromItsAnnouncedPortWithinTheDelay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]), time);
        engine.Start();
        // It announces a port it never sends from: its router gave its datagrams another one.
        await using var natted = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "natted", announcePort: UnusedUdpPort());
        var fuzzer = new DatagramFuzzer(seed: 5);

        await natted.SendRawAsync(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1));
        var held = await WaitForEventAsync<DatagramRejected>(engine.Events);
        Assert.Equal(JackTripError.UnknownSource, held.Error);
        Assert.False(natted.AudioPacketsReceived > 0);

        time.Advance(TimeSpan.FromSeconds(2.5));
        using var done = new CancellationTokenSource();
        var streaming = natted.StreamAsync(30, (frame, _) => 0.1f, stop: done.Token);
        var joined = await WaitForEventAsync<ParticipantJoined>(engine.Events);
        var heard = await natted.WaitForAsync(c => c.AudioPacketsReceived > 10, TimeSpan.FromSeconds(10));
        await done.CancelAsync();
        await streaming;

        Assert.Equal(natted.LocalEndPoint, joined.RemoteEndPoint);
        Assert.True(heard, "the adopted client got no audio back");
    }

    [Fact]
    public async Task TheAnnouncedPortWinsOverAnotherPortOfTheSameAddressThatSpokeFirst()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]), time);
        engine.Start();
        await using var client = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "client");
        using var other = BoundUdp();
        var hubPort = new IPEndPoint(IPAddress.Loopback, (int)client.HandshakeReply);
        var fuzzer = new DatagramFuzzer(seed: 6);

        // Someone else on the client's machine speaks first; the real client follows from the port it announced.
        other.SendTo(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1), hubPort);
        await WaitForEventAsync<DatagramRejected>(engine.Events, r => r.Error == JackTripError.UnknownSource);
        using var done = new CancellationTokenSource();
        var streaming = client.StreamAsync(30, (frame, _) => 0.1f, stop: done.Token);
        var joined = await WaitForEventAsync<ParticipantJoined>(engine.Events);
        // Long after the NAT delay, the other port is still a stranger.
        time.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 20; i++)
        {
            other.SendTo(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1), hubPort);
        }
        var heard = await client.WaitForAsync(c => c.AudioPacketsReceived > 10, TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        var otherReceived = other.Available;
        await done.CancelAsync();
        await streaming;

        Assert.Equal(client.LocalEndPoint, joined.RemoteEndPoint);
        Assert.True(heard);
        Assert.Equal(0, otherReceived);
    }

    [Fact]
    public async Task TwoUnannouncedPortsOfTheClientsAddressAreBothRefusedButTheAnnouncedPortStillGetsIn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]), time);
        engine.Start();
        await using var client = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "client");
        using var first = BoundUdp();
        using var second = BoundUdp();
        var hubPort = new IPEndPoint(IPAddress.Loopback, (int)client.HandshakeReply);
        var fuzzer = new DatagramFuzzer(seed: 7);

        first.SendTo(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1), hubPort);
        await WaitForEventAsync<DatagramRejected>(engine.Events, r => r.Error == JackTripError.UnknownSource);
        second.SendTo(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1), hubPort);
        time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 20; i++)
        {
            first.SendTo(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1), hubPort);
            second.SendTo(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1), hubPort);
        }
        time.Advance(TimeSpan.FromSeconds(1)); // the next rejection report is due: it counts all of the above
        await WaitForEventAsync<DatagramRejected>(engine.Events, r => r.Error == JackTripError.UnknownSource);
        Assert.Equal(0, first.Available + second.Available);

        using var done = new CancellationTokenSource();
        var streaming = client.StreamAsync(30, (frame, _) => 0.1f, stop: done.Token);
        var joined = await WaitForEventAsync<ParticipantJoined>(engine.Events);
        await done.CancelAsync();
        await streaming;

        Assert.Equal(client.LocalEndPoint, joined.RemoteEndPoint);
    }

    [Fact]
    public async Task ThePortsHandedOutDoNotFollowTheOrderOfJoins()
    {
        var udpBase = FreePorts.Range(64);
        await using var engine = new MediaEngine(LoopbackOptions with { UdpBasePort = udpBase, MaxClients = 64 }, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();

        var ports = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            ports.Add((int)await FakeJackTripClient.HandshakeAsync(engine.TcpEndPoint, 40000, $"pupil{i}"));
        }

        Assert.All(ports, p => Assert.InRange(p, udpBase, udpBase + 63));
        Assert.Equal(8, ports.Distinct().Count());
        // Lowest-free-slot assignment would give base, base + 1, …; a random pick does so with odds of 1 in 64⁸.
        Assert.NotEqual(Enumerable.Range(udpBase, 8), ports);
        Assert.True(ports.Max() - udpBase >= 8, $"ports {string.Join(", ", ports)} sit at the start of the range");
    }

    private static Socket BoundUdp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int UnusedUdpPort()
    {
        using var probe = BoundUdp();
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
