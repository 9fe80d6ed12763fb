using Loki.Learning.Media.Engine;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

[Collection(LoopbackEngineCollection.Name)]
public sealed class ExternalParticipantEngineTests
{
    [Fact]
    public async Task AJackTripClientAndABrowserParticipantInOneRoomHearEachOther()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["alice"]));
        engine.Start();
        await using var alice = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "alice");
        await using var browser = new FakeBrowserParticipant(engine.AttachExternal("band", "bea", channels: 2));

        var streaming = Task.WhenAll(
            alice.StreamAsync(2.5, (frame, _) => Sine(frame, 1000, 0.5f)),
            browser.StreamAsync(2.5, (frame, _) => Sine(frame, 600, 0.4f)));
        var aliceId = (await WaitForEventAsync<ParticipantJoined>(engine.Events, j => j.ClientName == "alice")).ParticipantId;

        // Each hears the other's sine at its level (the browser in both channels of Alice's mono mix, averaged).
        // A loaded machine may start the streams late or stall a window, so wait for 200 ms of steady audio.
        var heard = "";
        Assert.True(await EventuallyAsync(() => Hears(alice.LastReceived(9600), 600, 0.4, out heard)), "Alice: " + heard);
        Assert.True(await EventuallyAsync(() => Hears(browser.LastReceived(9600), 1000, 0.5, out heard)), "the browser: " + heard);

        // Meters: both inputs are seen after their jitter buffers: peak ≈ amplitude, RMS ≈ amplitude / √2.
        var levels = "";
        Assert.True(await EventuallyAsync(() =>
        {
            engine.TryGetInputLevel(aliceId, out var alicePeak, out var aliceRms);
            var (browserPeak, browserRms) = browser.Participant.InputLevel;
            levels = $"alice {alicePeak}/{aliceRms}, browser {browserPeak}/{browserRms}";
            return alicePeak is > 0.45f and < 0.6f && aliceRms is > 0.3f and < 0.4f
                && browserPeak is > 0.35f and < 0.5f && browserRms is > 0.24f and < 0.32f;
        }), levels);
        await streaming;
    }

    [Fact]
    public async Task MutingTheBrowserParticipantSilencesItInTheJackTripClientsMix()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["listener"]));
        engine.Start();
        await using var listener = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "listener");
        await using var browser = new FakeBrowserParticipant(engine.AttachExternal("band", "singer", channels: 1));
        var streaming = Task.WhenAll(
            listener.StreamAsync(2.5, (frame, _) => 0f),
            browser.StreamAsync(2.5, (frame, _) => Sine(frame, 500, 0.4f)));
        var heard = "";
        Assert.True(await EventuallyAsync(() => Hears(listener.LastReceived(9600), 500, 0.4, out heard)), heard);

        Assert.True(engine.Post(new SetMute(browser.Participant.ParticipantId, true)));

        Assert.True(await EventuallyAsync(() => TypicalRms(listener.LastReceived(9600)) < 0.001), "still hears the singer");
        await streaming;
    }

    [Fact]
    public async Task DisposingABrowserParticipantMakesItLeaveItsRoom()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        var participant = engine.AttachExternal("band", "bea", channels: 1);
        var joined = await WaitForEventAsync<ParticipantJoined>(engine.Events);
        Assert.Equal(participant.ParticipantId, joined.ParticipantId);
        Assert.Equal("bea", joined.ClientName);
        Assert.True(engine.TryGetInputLevel(participant.ParticipantId, out _, out _));

        participant.Dispose();

        var left = await WaitForEventAsync<ParticipantLeft>(engine.Events);
        Assert.Equal(participant.ParticipantId, left.ParticipantId);
        Assert.Equal(LeaveReason.Exited, left.Reason);
        Assert.True(participant.HasLeft);
        Assert.False(participant.WriteInput(0, 0, new float[128]));
        Assert.False(engine.TryGetInputLevel(participant.ParticipantId, out _, out _));
        await participant.WaitForOutputAsync(CancellationToken.None); // completes: nothing more will come
        Assert.Equal(0, engine.ConnectedClients);
    }

    [Fact]
    public async Task RemovingABrowserParticipantByCommandEndsItsStream()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        using var participant = engine.AttachExternal("band", "bea", channels: 2);
        await WaitForEventAsync<ParticipantJoined>(engine.Events);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var waiting = Task.Run(async () =>
        {
            var period = new float[participant.PeriodFrames * 2];
            while (!participant.HasLeft)
            {
                await participant.WaitForOutputAsync(timeout.Token);
                while (participant.TryReadOutput(period, out _))
                {
                }
            }
        });

        Assert.True(engine.Post(new RemoveParticipant(participant.ParticipantId)));

        var left = await WaitForEventAsync<ParticipantLeft>(engine.Events);
        Assert.Equal(LeaveReason.Removed, left.Reason);
        await waiting;
        Assert.True(participant.HasLeft);
    }

    [Fact]
    public async Task ABrowserParticipantBeyondTheRoomsCapacityLeavesAtOnce()
    {
        await using var engine = new MediaEngine(LoopbackOptions with { MaxParticipantsPerRoom = 1 }, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        using var first = engine.AttachExternal("band", "first", channels: 1);
        await WaitForEventAsync<ParticipantJoined>(engine.Events);

        using var second = engine.AttachExternal("band", "second", channels: 1);

        var left = await WaitForEventAsync<ParticipantLeft>(engine.Events);
        Assert.Equal(LeaveReason.RoomFull, left.Reason);
        Assert.Equal(second.ParticipantId, left.ParticipantId);
        Assert.True(second.HasLeft);
        Assert.False(first.HasLeft);
    }

    [Fact]
    public async Task AttachingBeforeTheEngineStartsIsRefused()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));

        Assert.Throws<InvalidOperationException>(() => engine.AttachExternal("band", "early", 1));
    }

    [Fact]
    public async Task StoppingTheEngineTellsBrowserParticipantsTheyHaveLeft()
    {
        var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        using var participant = engine.AttachExternal("band", "bea", channels: 1);
        await WaitForEventAsync<ParticipantJoined>(engine.Events);

        await engine.DisposeAsync();

        Assert.True(participant.HasLeft);
        var events = new List<MediaEvent>();
        while (engine.Events.TryRead(out var e))
        {
            events.Add(e);
        }
        Assert.Contains(events, e => e is ParticipantLeft { Reason: LeaveReason.EngineStopped } l && l.ParticipantId == participant.ParticipantId);
    }

    [Fact]
    public async Task TheMixThreadAllocatesNothingWhileBrowserParticipantsStream()
    {
        var options = LoopbackOptions with { StatisticsInterval = TimeSpan.FromHours(1) };
        await using var engine = new MediaEngine(options, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var jackTrip = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "jt", channels: 2);
        await using var mono = new FakeBrowserParticipant(engine.AttachExternal("band", "mono", channels: 1));
        await using var stereo = new FakeBrowserParticipant(engine.AttachExternal("band", "stereo", channels: 2));
        engine.Post(new SetGain(stereo.Participant.ParticipantId, mono.Participant.ParticipantId, 0.5f));

        var streaming = Task.WhenAll(
            jackTrip.StreamAsync(1.6, (frame, channel) => Sine(frame, 440, 0.3f)),
            mono.StreamAsync(1.6, (frame, channel) => Sine(frame, 550, 0.3f)),
            stereo.StreamAsync(1.6, (frame, channel) => Sine(frame, 660, 0.3f), framesPerBlock: 256));
        await Task.Delay(600);
        var before = engine.MixThreadAllocatedBytes;
        var periodsBefore = engine.PeriodsElapsed;
        var stagesBefore = Enum.GetValues<MixStage>().Where(s => s != MixStage.Count).Select(engine.MixThreadAllocatedBytesIn).ToArray();
        var blocksBefore = mono.BlocksReceived + stereo.BlocksReceived;
        await Task.Delay(800);
        var allocated = engine.MixThreadAllocatedBytes - before;
        var stages = string.Join(", ", Enum.GetValues<MixStage>().Where(s => s != MixStage.Count).Select((s, i) => $"{s} {engine.MixThreadAllocatedBytesIn(s) - stagesBefore[i]}"));
        var periods = engine.PeriodsElapsed - periodsBefore;
        var blocks = mono.BlocksReceived + stereo.BlocksReceived - blocksBefore;
        await streaming;

        Assert.True(periods > 100, $"only {periods} periods ran");
        Assert.True(blocks > 100 && jackTrip.AudioPacketsReceived > 0, $"{blocks} blocks read by the browsers");
        Assert.True(allocated == 0, $"{allocated} bytes allocated: {stages}");
    }

    /// <summary>Whether <paramref name="samples"/> (200 ms) are a sine of about this frequency and amplitude.</summary>
    private static bool Hears(float[] samples, double frequency, double amplitude, out string heard)
    {
        var level = TypicalRms(samples);
        var measured = Frequency(samples);
        heard = $"{samples.Length} frames, RMS {level:F3}, {measured:F0} Hz";
        return samples.Length == 9600
            && level > amplitude / Math.Sqrt(2) * 0.9 && level < amplitude / Math.Sqrt(2) * 1.1
            && measured > frequency * 0.95 && measured < frequency * 1.05;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(10);
        }
        return condition();
    }
}
