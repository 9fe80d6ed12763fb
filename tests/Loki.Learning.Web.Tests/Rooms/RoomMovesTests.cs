using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Scores;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

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
