using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Tests.JackTrip;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

[Collection(LoopbackEngineCollection.Name)]
public sealed class MediaEngineFuzzTests
{
    [Fact]
    public async Task HostileDatagramsAndHandshakesNeverStopTheHubServingAWellBehavedClientInTheSameRoom()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var alice = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "alice");
        await using var bob = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "bob");
        await using var fuzz = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "fuzz");
        var streaming = Task.WhenAll(
            alice.StreamAsync(3, (frame, _) => Sine(frame, 1000, 0.5f)),
            bob.StreamAsync(3, (frame, _) => 0f));

        // The fuzzing client joins with a valid mono 16-bit packet and is muted, so whatever it sends later that
        // happens to be valid audio does not change what Bob should hear.
        var fuzzer = new DatagramFuzzer(seed: 77);
        await fuzz.SendRawAsync(fuzzer.Valid(frames: 128, channels: 1, bits: 16, redundancy: 1));
        var fuzzJoined = await WaitForEventAsync<ParticipantJoined>(engine.Events, j => j.ClientName == "fuzz");
        Assert.True(engine.Post(new SetMute(fuzzJoined.ParticipantId, true)));
        await Task.Delay(100);

        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var bobHubPort = (int)bob.HandshakeReply;
        var sent = 0;
        var skipped = 0;
        for (var i = 0; i < 3000; i++)
        {
            var (_, datagram) = fuzzer.Next(() => fuzzer.Valid(frames: i % 3 == 0 ? null : 128, channels: i % 3 == 0 ? null : 1, bits: 16));
            // A valid header announcing another rate or depth ends the connection by design (tested elsewhere).
            if (JackTripDatagram.TryParse(datagram, out var info) == JackTripError.None
                && (info.Newest.SampleRate != 48000 || info.Newest.BitsPerSample != 16))
            {
                skipped++;
                continue;
            }
            // The kernel cannot send more than a UDP payload; the parser test covers oversized input.
            if (JackTripDatagram.IsExit(datagram) || datagram.Length > JackTripDatagram.MaxDatagramLength)
            {
                skipped++;
                continue;
            }
            if (i % 10 == 0)
            {
                // Garbage from an address that is not Bob's, sent to Bob's port.
                stranger.SendTo(datagram, new IPEndPoint(IPAddress.Loopback, bobHubPort));
            }
            else
            {
                await fuzz.SendRawAsync(datagram);
            }
            sent++;
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }

        var handshakeRandom = new Random(99);
        var handshakes = Enumerable.Range(0, 60).Select(async i =>
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            byte[] junk;
            lock (handshakeRandom)
            {
                junk = new byte[handshakeRandom.Next(0, 120)];
                handshakeRandom.NextBytes(junk);
            }
            try
            {
                await tcp.ConnectAsync(engine.TcpEndPoint);
                if (junk.Length > 0)
                {
                    await tcp.SendAsync(junk);
                }
                tcp.Shutdown(SocketShutdown.Send);
                var reply = new byte[8];
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await tcp.ReceiveAsync(reply, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                // The hub may reset a connection it refuses: at once when one address has more than
                // MaxHandshakesPerAddress open, as these 60 at once from 127.0.0.1 do.
            }
        }).ToArray();
        await Task.WhenAll(handshakes);

        await Task.Delay(400);
        var bobHeard = bob.LastReceived(9600);
        await using var late = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "late");
        await streaming;

        Assert.True(sent > 2000, $"sent {sent}, skipped {skipped}");
        // Bob still hears Alice's sine (loose bounds: a busy two-core machine may cost a concealed period or two).
        Assert.InRange(Rms(bobHeard), 0.5 / Math.Sqrt(2) * 0.8, 0.5 / Math.Sqrt(2) * 1.1);
        Assert.InRange(Frequency(bobHeard), 900, 1100);
        Assert.InRange(late.HandshakeReply, 1u, 65535u);

        var rejections = new List<DatagramRejected>();
        while (engine.Events.TryRead(out var next))
        {
            if (next is DatagramRejected rejected)
            {
                rejections.Add(rejected);
            }
        }
        Assert.Contains(rejections, r => r.ParticipantId == fuzzJoined.ParticipantId && r.Error != JackTripError.UnknownSource);
        Assert.Contains(rejections, r => r.Error == JackTripError.UnknownSource);
        Assert.True(engine.ConnectedClients >= 3);
    }

    [Fact]
    public async Task TheLargestPossibleDatagramAndAMegabyteHandshakeAreRefusedAndTheHubGoesOn()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var singer = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "singer");
        await using var listener = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "listener");

        // A UDP payload of the largest size there is, starting with a valid header.
        var oversized = new byte[JackTripDatagram.MaxDatagramLength];
        new DatagramFuzzer(seed: 11).Valid(frames: 128, channels: 1, bits: 16, redundancy: 1).CopyTo(oversized, 0);
        await singer.SendRawAsync(oversized);
        var rejected = await WaitForEventAsync<DatagramRejected>(engine.Events);

        // A megabyte on the handshake port: closed without an answer after the first 68 bytes.
        using (var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await tcp.ConnectAsync(engine.TcpEndPoint);
            var sending = tcp.SendAsync(new byte[1 << 20]);
            var reply = new byte[8];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int answered;
            try
            {
                answered = await tcp.ReceiveAsync(reply, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                answered = 0; // reset: closed with data unread
            }
            Assert.Equal(0, answered);
            try
            {
                await sending;
            }
            catch (SocketException)
            {
                // The hub closed while the megabyte was still going out.
            }
        }

        var heard = await HearTheSingerAsync(singer, listener);

        Assert.NotEqual(JackTripError.None, rejected.Error);
        AssertHeardTheSinger(heard);
        Assert.InRange(await FakeJackTripClient.HandshakeAsync(engine.TcpEndPoint, 40000, "after"), 1u, 65535u);
    }
}
