using Loki.Learning.Media.Engine;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

[Collection(LoopbackEngineCollection.Name)]
public sealed class MediaEngineRoomTests
{
    [Fact]
    public async Task RemovingAParticipantSendsItTheExitDatagramsAndFreesTheSlot()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var client = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "removed");
        await client.StreamAsync(0.05, (frame, _) => 0f);
        var joined = await WaitForEventAsync<ParticipantJoined>(engine.Events);

        Assert.True(engine.Post(new RemoveParticipant(joined.ParticipantId)));

        var left = await WaitForEventAsync<ParticipantLeft>(engine.Events);
        Assert.Equal(LeaveReason.Removed, left.Reason);
        Assert.True(await client.WaitForAsync(c => c.ExitDatagramsReceived >= 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(0, engine.ConnectedClients);
    }

    [Fact]
    public async Task ClosingARoomSendsEveryoneInItAway()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var a = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "a");
        await using var b = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "b");
        await Task.WhenAll(a.StreamAsync(0.05, (frame, _) => 0f), b.StreamAsync(0.05, (frame, _) => 0f));
        await WaitForEventAsync<ParticipantJoined>(engine.Events, j => j.ClientName == "b");

        Assert.True(engine.Post(new CloseRoom("band")));

        await WaitForEventAsync<RoomClosed>(engine.Events);
        Assert.True(await a.WaitForAsync(c => c.ExitDatagramsReceived >= 2, TimeSpan.FromSeconds(5)));
        Assert.True(await b.WaitForAsync(c => c.ExitDatagramsReceived >= 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(0, engine.ConnectedClients);
    }

    [Fact]
    public async Task AClientBeyondTheRoomsCapacityIsSentAway()
    {
        await using var engine = new MediaEngine(LoopbackOptions with { MaxParticipantsPerRoom = 1 }, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var first = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "first");
        await first.StreamAsync(0.05, (frame, _) => 0f);
        await WaitForEventAsync<ParticipantJoined>(engine.Events);
        await using var second = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "second");

        await second.StreamAsync(0.05, (frame, _) => 0f);

        var left = await WaitForEventAsync<ParticipantLeft>(engine.Events);
        Assert.Equal(LeaveReason.RoomFull, left.Reason);
        Assert.Equal("second", left.ClientName);
        Assert.True(await second.WaitForAsync(c => c.ExitDatagramsReceived >= 2, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task StoppingTheEngineSendsEveryClientTheExitDatagrams()
    {
        var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var client = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "stayer");
        await client.StreamAsync(0.05, (frame, _) => 0f);
        await WaitForEventAsync<ParticipantJoined>(engine.Events);

        await engine.DisposeAsync();

        Assert.True(await client.WaitForAsync(c => c.ExitDatagramsReceived >= 2, TimeSpan.FromSeconds(5)));
        Assert.False(engine.Post(new OpenRoom("late")));
    }

    [Fact]
    public async Task SelfMonitoringLetsAParticipantHearItself()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var client = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "soloist");
        using var done = new CancellationTokenSource();
        var streaming = client.StreamAsync(30, (frame, _) => Sine(frame, 700, 0.3f), stop: done.Token);
        var joined = await WaitForEventAsync<ParticipantJoined>(engine.Events);
        var alone = TypicalRms(await client.HeardAfterAsync(client.FramesReceived, settleFrames: 19200));

        var mark = client.FramesReceived;
        Assert.True(engine.Post(new SetSelfMonitor(joined.ParticipantId, true)));
        var monitored = TypicalRms(await client.HeardAfterAsync(mark));
        await done.CancelAsync();
        await streaming;

        Assert.InRange(alone, 0, 0.001);
        Assert.InRange(monitored, 0.3 / Math.Sqrt(2) * 0.9, 0.3 / Math.Sqrt(2) * 1.1);
    }

    [Fact]
    public async Task TheMasterGainScalesWhatEveryoneHears()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var singer = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "singer");
        await using var listener = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "listener", channels: 2);
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(
            singer.StreamAsync(30, (frame, _) => Sine(frame, 400, 0.4f), stop: done.Token),
            listener.StreamAsync(30, (frame, _) => 0f, stop: done.Token));
        await WaitForEventAsync<ParticipantJoined>(engine.Events, j => j.ClientName == "listener");
        var full = TypicalRms(await listener.HeardAfterAsync(listener.FramesReceived, settleFrames: 19200));

        var mark = listener.FramesReceived;
        Assert.True(engine.Post(new SetMasterGain("band", 0.25f)));
        var quieter = TypicalRms(await listener.HeardAfterAsync(mark));
        await done.CancelAsync();
        await streaming;

        Assert.InRange(full, 0.4 / Math.Sqrt(2) * 0.9, 0.4 / Math.Sqrt(2) * 1.1);
        Assert.InRange(quieter / full, 0.22, 0.28);
    }
}
