using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace Loki.Learning.Web.Tests.Rooms;

/// A room grain whose activation is lost (its node died, or it was collected) comes back from grain storage:
/// open, locked, at the same beat, showing the same score page; who had joined may join again.
[Collection(nameof(CatalogueCollection))]
public sealed class RoomMovesTests(Catalogue catalogue)
{
    [Fact]
    public async Task TheRoomComesBackOpenWithItsBeatScorePageAndLock()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var room = catalogue.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var score = new ScoreChoice(Guid.NewGuid(), "Brudmarsch", ScoreKind.Pdf, "/scores/x/file", [], 5);
        await room.SelectScoreAsync(score);
        await room.TurnScorePageAsync(3);
        var beat = await catalogue.Mediator.Send(new ChangeBeat(teacher, roomId, new BeatChange(Running: true, Bpm: 96, BeatsPerBar: 3, CountInBars: 1)));
        await catalogue.Mediator.Send(new ControlRoom(teacher, roomId, RoomControl.Lock));
        var before = await room.GetViewAsync();
        Assert.Equal(2, before.Roster.Count);

        var after = await MoveAsync(room, before.Version);

        Assert.True(after.Open);
        Assert.True(after.Locked);
        Assert.Equal(before.Description, after.Description);
        Assert.Equal((score.ScoreId, 3), (after.Score!.ScoreId, after.ScorePage));
        Assert.Equal(beat.Segments, (await catalogue.Mediator.Send(new GetBeat(pupil, roomId))).Segments);

        // The room is locked, but the pupil had joined before it moved: they are let back in, at this node's media.
        var rejoined = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        Assert.Equal(catalogue.Media.JackTripPort, rejoined.JackTripPort);
        Assert.Equal(RoomAudioEndpoint.Path(roomId), rejoined.AudioUrl);
        Assert.Contains((await room.GetViewAsync()).Roster, p => p.PersonId == pupil.PersonId);
    }

    [Fact]
    public async Task AClosedRoomStaysClosedAndForgetsWhoWasIn()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var room = catalogue.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId, Open: false));

        var after = await MoveAsync(room, (await room.GetViewAsync()).Version);

        Assert.False(after.Open);
        var refusal = await Assert.ThrowsAsync<Features.Refusal>(() => catalogue.Mediator.Send(new JoinRoom(pupil, roomId)).AsTask());
        Assert.Equal("Refusal.RoomClosed", refusal.ReasonKey);
    }

    [Fact]
    public async Task ARoomWhoseTakeWasCutOffByItsNodeComesBackOpenAndStaysOpen()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var room = catalogue.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var version = (await room.GetViewAsync()).Version;
        catalogue.Clock.Advance(TimeSpan.FromSeconds(1));
        await room.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        // As a node that died mid-take leaves it: the state still names the running take.
        var storage = catalogue.Cluster.GetSiloServiceProvider(catalogue.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(RoomStateStorage.Name);
        var state = new GrainState<RoomState>();
        await storage.ReadStateAsync("room", room.GetGrainId(), state);
        Assert.True(state.State!.Open);
        state.State = state.State! with { Recording = new RoomRecordingState(Guid.NewGuid(), DateTime.UtcNow, []) };
        await storage.WriteStateAsync("room", room.GetGrainId(), state);

        var after = await MoveAsync(room, version);

        Assert.True(after.Open);
        Assert.Null(after.Recording);
        // The repair saved the state: saved as it was restored, open, not as a room not yet opened.
        var again = await MoveAsync(room, after.Version);
        Assert.True(again.Open);
        Assert.Null(again.Recording);
    }

    /// Loses the room's activation a second later and waits for the next one: its views are numbered from its
    /// activation time, so they are newer than anything the old one sent (pages keep the newest view).
    private async Task<RoomView> MoveAsync(IRoomGrain room, long oldVersion)
    {
        catalogue.Clock.Advance(TimeSpan.FromSeconds(1));
        await room.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var view = await room.GetViewAsync();
            if (view.Version >= oldVersion + 500_000)
            {
                Assert.Empty(view.Roster);
                return view;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("the room grain was not activated again");
    }
}
