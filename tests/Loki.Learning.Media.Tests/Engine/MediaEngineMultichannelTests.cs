using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Tests.Interop;
using Loki.Learning.Media.Tests.JackTrip;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>A concert hall or studio sending 8 channels through the engine over real sockets.</summary>
[Collection(LoopbackEngineCollection.Name)]
public sealed class MediaEngineMultichannelTests
{
    private const float Level = 0.2f;
    private const int Settle = 9600;
    private const int Window = 14400; // 0.3 s
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// A tone per channel, 200 Hz apart: each a whole number of cycles in the 10 ms windows the levels are read in,
    /// so the tones do not leak into each other's measurement.
    private static double ToneOf(int channel) => 300 + (200 * channel);

    /// The tone's level while it sounds (90th percentile over 10 ms windows): a period the jitter buffer conceals when
    /// the paced sender stalls on a busy machine fades and shifts the phase of what follows, which one transform over
    /// the whole window would read as a quieter tone.
    private static double Tone(float[] samples, int channel) => CapturedAudio.SoundingToneAmplitude(samples, ToneOf(channel), 48000);

    /// A tone that should be absent: its median level over 10 ms windows (a concealed period's fade spreads a little
    /// of everything into its own window).
    private static double Leak(float[] samples, int channel) => CapturedAudio.SoundingToneAmplitude(samples, ToneOf(channel), 48000, percentile: 50);

    /// <summary>The channel's tone is at <paramref name="expected"/> ±10 %, or absent when that is (nearly) nothing.</summary>
    private static void AssertLevel(float[] samples, int channel, double expected)
    {
        if (expected < 0.003)
        {
            Assert.True(Leak(samples, channel) < 0.003, $"channel {channel + 1}'s tone at {Leak(samples, channel)} where none was expected");
        }
        else
        {
            Assert.InRange(Tone(samples, channel), 0.9 * expected, 1.1 * expected);
        }
    }

    private static Task StreamTheHall(FakeJackTripClient hall, CancellationToken stop) =>
        hall.StreamAsync(30, (frame, channel) => Sine(frame, ToneOf(channel), Level), stop: stop);

    private static async Task<Dictionary<string, ParticipantJoined>> JoinsAsync(MediaEngine engine, int count)
    {
        var joined = new Dictionary<string, ParticipantJoined>();
        while (joined.Count < count)
        {
            var join = await WaitForEventAsync<ParticipantJoined>(engine.Events, seconds: 15);
            joined[join.ClientName] = join;
        }
        return joined;
    }

    [Fact]
    public async Task AnEightChannelSiteReachesAStereoListenerFoldedDownByThePanAndGainTheHostSets()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("concert", ["*"]));
        engine.Start();
        await using var hall = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "hall", channels: 8);
        await using var listener = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "listener", channels: 2);
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(StreamTheHall(hall, done.Token), listener.StreamAsync(30, (_, _) => 0f, stop: done.Token));
        var joined = await JoinsAsync(engine, 2);
        Assert.Equal(8, joined["hall"].InputChannels);

        // Spread evenly, left to right, at √(2/8) = 0.5 each with an equal-power pan.
        var heard = await listener.ReceivedChannelsAfterAsync(listener.FramesReceived, Settle, Window, 2, Limit);
        for (var channel = 0; channel < 8; channel++)
        {
            var angle = (-1 + (2.0 * channel / 7) + 1) * Math.PI / 4;
            AssertLevel(heard[0], channel, Level * 0.5 * Math.Cos(angle));
            AssertLevel(heard[1], channel, Level * 0.5 * Math.Sin(angle));
        }

        // The host moves the first microphone hard right at unity and silences the last.
        var mark = listener.FramesReceived;
        Assert.True(engine.Post(new SetChannelMix(joined["hall"].ParticipantId, 0, 1f, 1f)));
        Assert.True(engine.Post(new SetChannelMix(joined["hall"].ParticipantId, 7, 0f, 0f)));
        heard = await listener.ReceivedChannelsAfterAsync(mark, Settle, Window, 2, Limit);
        await done.CancelAsync();
        await streaming;

        Assert.InRange(Tone(heard[1], 0), 0.9 * Level, 1.1 * Level);
        Assert.True(Leak(heard[0], 0) < 0.003, $"channel 1 still on the left: {Leak(heard[0], 0)}");
        Assert.True(Math.Max(Leak(heard[0], 7), Leak(heard[1], 7)) < 0.003, "channel 8 still heard");
    }

    [Fact]
    public async Task AProductionSiteThatAsksForPassthroughReceivesTheHallsChannelsUnmixedAndCanGoBackToItsMix()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("concert", ["*"]));
        engine.Start();
        await using var hall = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "hall", channels: 8);
        await using var studio = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "studio", channels: 2, channelsWanted: 8);
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(
            StreamTheHall(hall, done.Token),
            studio.StreamAsync(30, (frame, _) => Sine(frame, 4100, 0.3f), stop: done.Token));
        var joined = await JoinsAsync(engine, 2);
        var studioId = joined["studio"].ParticipantId;

        var mark = studio.FramesReceived;
        Assert.True(engine.Post(new SetPassthrough(studioId, joined["hall"].ParticipantId)));
        var passed = await studio.ReceivedChannelsAfterAsync(mark, Settle, Window, 8, Limit);

        mark = studio.FramesReceived;
        Assert.True(engine.Post(new SetPassthrough(studioId, null)));
        var mixed = await studio.ReceivedChannelsAfterAsync(mark, Settle, Window, 8, Limit);
        await done.CancelAsync();
        await streaming;

        var table = string.Join("\n", passed.Select((c, i) => $"channel {i + 1}: " + string.Join(" ", Enumerable.Range(0, 8).Select(o => Tone(c, o).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))));
        for (var channel = 0; channel < 8; channel++)
        {
            Assert.True(Tone(passed[channel], channel) is > 0.9 * Level and < 1.1 * Level, table);
            for (var other = 0; other < 8; other++)
            {
                if (other != channel)
                {
                    Assert.True(Leak(passed[channel], other) < 0.003, $"channel {channel + 1} carries channel {other + 1}:\n{table}");
                }
            }
        }
        // Back on its personal mix: the hall folded down into channels 1-2, nothing in 3-8.
        Assert.InRange(Tone(mixed[0], 0), 0.9 * Level * 0.5, 1.1 * Level * 0.5);
        Assert.All(mixed.Skip(2), c => Assert.True(c.Length == 0 || Rms(c) < 0.001));
        Assert.DoesNotContain(engine.GetParticipantSnapshots(), s => s.ClientName == "studio" && s.DatagramsRejected > 0);
    }

    [Fact]
    public async Task DatagramsWithMoreThanSixteenChannelsOrAnotherShapeThanTheStreamsAreDroppedAndCountedWhileTheRoomPlaysOn()
    {
        // The hall sends nothing acceptable after its first datagram: a long silence timeout keeps it in the room while
        // a busy machine delivers the rest.
        var options = LoopbackOptions with { StatisticsInterval = TimeSpan.FromMilliseconds(100), SilenceTimeout = TimeSpan.FromMinutes(2) };
        await using var engine = new MediaEngine(options, new AllowListAdmissionPolicy("concert", ["*"]));
        engine.Start();
        await using var alice = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "alice");
        await using var bob = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "bob");
        await using var hall = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "hall", channels: 8);
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(
            alice.StreamAsync(30, (frame, _) => Sine(frame, 500, 0.4f), stop: done.Token),
            bob.StreamAsync(30, (_, _) => 0f, stop: done.Token));
        await JoinsAsync(engine, 2);

        // Before the hall's stream starts: only datagrams that cannot open a stream (too many channels, a length that
        // disagrees with the channels claimed). None may join it.
        var fuzzer = new DatagramFuzzer(seed: 1616);
        var dropped = 0;
        var tooMany = 0;
        while (dropped < 400)
        {
            var datagram = fuzzer.ChannelLie();
            // Decided here, not by the parser under test: what a hub with a 16-channel limit must not let in.
            var (wanted, code) = (datagram[14], datagram[15]);
            var claimed = code == JackTripHeader.ChannelsSameAsWanted ? wanted : code == JackTripHeader.ChannelsNone ? 0 : code;
            var overLimit = wanted > 16 || claimed > 16;
            if (!overLimit && datagram.Length % (JackTripHeader.Size + (32 * claimed * 2)) == 0)
            {
                continue; // whole packets of the shape it claims: it could open a stream
            }
            tooMany += overLimit ? 1 : 0;
            await hall.SendRawAsync(datagram);
            if (++dropped % 10 == 0)
            {
                await Task.Delay(5); // paced: the hub reads each period, and its socket's buffer is finite
            }
        }
        var encoder = new JackTripPacketEncoder(48000, 16, 128, 8, 8);
        var valid = new byte[encoder.MaxDatagramLength];
        await hall.SendRawAsync(valid.AsMemory(0, encoder.Encode(new float[8 * 128], 1, valid)));
        var hallJoined = await WaitForEventAsync<ParticipantJoined>(engine.Events, j => j.ClientName == "hall", seconds: 15);

        // After it: datagrams of any channel bytes, 32 frames a packet where the stream has 128: every one dropped.
        for (var i = 0; i < 400; i++)
        {
            await hall.SendRawAsync(fuzzer.ChannelLie());
            if (++dropped % 10 == 0)
            {
                await Task.Delay(5);
            }
        }
        var counted = await bob.WaitForAsync(
            _ => engine.GetParticipantSnapshots().Any(s => s.ClientName == "hall" && s.DatagramsRejected == dropped), Limit);
        var bobHeard = await bob.HeardAfterAsync(bob.FramesReceived);
        await done.CancelAsync();
        await streaming;

        Assert.Equal(8, hallJoined.InputChannels);
        Assert.True(tooMany > 100, $"only {tooMany} datagrams with too many channels");
        Assert.True(counted, $"expected {dropped} dropped: {string.Join(" | ", engine.GetParticipantSnapshots())}");
        Assert.Equal(3, engine.ConnectedClients);
        AssertHeardTheSinger(bobHeard);
    }

    [Fact]
    public async Task TheMixThreadAllocatesNothingWithAnEightChannelSiteAStereoListenerAndAPassthroughStudio()
    {
        await using var engine = new MediaEngine(LoopbackOptions with { StatisticsInterval = TimeSpan.FromHours(1) }, new AllowListAdmissionPolicy("concert", ["*"]));
        engine.Start();
        await using var hall = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "hall", channels: 8, bits: 16);
        await using var listener = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "listener", channels: 2);
        await using var studio = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "studio", channels: 2, framesPerPacket: 256, channelsWanted: 8);
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(
            StreamTheHall(hall, done.Token),
            listener.StreamAsync(30, (_, _) => 0f, stop: done.Token),
            studio.StreamAsync(30, (_, _) => 0f, stop: done.Token));
        var joined = await JoinsAsync(engine, 3);
        Assert.True(engine.Post(new SetPassthrough(joined["studio"].ParticipantId, joined["hall"].ParticipantId)));
        Assert.True(engine.Post(new SetChannelMix(joined["hall"].ParticipantId, 2, 0.3f, 0.9f)));
        // Warm up: the commands applied and every stream through its first packets.
        await studio.ReceivedChannelsAfterAsync(studio.FramesReceived, Settle, 4800, 8, Limit);

        var before = engine.MixThreadAllocatedBytes;
        var periodsBefore = engine.PeriodsElapsed;
        var stagesBefore = Enum.GetValues<MixStage>().Where(s => s != MixStage.Count).Select(engine.MixThreadAllocatedBytesIn).ToArray();
        await listener.ReceivedAfterAsync(listener.FramesReceived, 0, 38400, Limit); // 0.8 s of mixing
        var allocated = engine.MixThreadAllocatedBytes - before;
        var stages = string.Join(", ", Enum.GetValues<MixStage>().Where(s => s != MixStage.Count).Select((s, i) => $"{s} {engine.MixThreadAllocatedBytesIn(s) - stagesBefore[i]}"));
        var periods = engine.PeriodsElapsed - periodsBefore;
        await done.CancelAsync();
        await streaming;

        Assert.True(periods > 100, $"only {periods} periods ran");
        Assert.True(allocated == 0, $"{allocated} bytes allocated: {stages}");
    }
}
