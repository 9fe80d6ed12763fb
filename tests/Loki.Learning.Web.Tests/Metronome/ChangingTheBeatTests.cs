using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Tests.Rooms;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Metronome;

[Collection(nameof(CatalogueCollection))]
public sealed class ChangingTheBeatTests(Catalogue catalogue)
{
    [Fact]
    public async Task TheTeacherStartsWithACountInAndThePupilSeesTheSameTimeline()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));

        var started = await catalogue.Mediator.Send(new ChangeBeat(teacher, roomId, new BeatChange(Running: true, Bpm: 96, CountInBars: 2, BeatsPerBar: 3)));
        var seen = await catalogue.Mediator.Send(new GetBeat(pupil, roomId));

        Assert.True(seen.Running);
        Assert.Equal((96d, 3, 2), (seen.Bpm, seen.BeatsPerBar, seen.CountInBars));
        Assert.Equal(started.Segments, seen.Segments);
        Assert.Equal(-6, seen.Anchor!.Beat);
        var now = (catalogue.Clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        Assert.Equal(now + BeatTimeline.StartLeadMs, seen.Anchor.EpochMs, 3);
    }

    [Fact]
    public async Task APupilMayNotChangeTheBeatAndAStrangerMayNotSeeIt()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var stranger = await catalogue.PersonAsync(Roles.Student);
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));

        var byPupil = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ChangeBeat(pupil, roomId, new BeatChange(Running: true))).AsTask());
        var byStranger = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetBeat(stranger, roomId)).AsTask());

        Assert.Equal((RefusalKind.Forbidden, "Refusal.NotRoomHost"), (byPupil.Kind, byPupil.ReasonKey));
        Assert.Equal(RefusalKind.NotFound, byStranger.Kind);
        Assert.False((await catalogue.Mediator.Send(new GetBeat(teacher, roomId))).Running);
    }

    [Fact]
    public async Task AnImpossibleTempoIsRefusedAndChangesNothing()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var before = await catalogue.Mediator.Send(new GetBeat(teacher, roomId));

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ChangeBeat(teacher, roomId, new BeatChange(Bpm: 1000))).AsTask());

        Assert.Equal((RefusalKind.Invalid, "Validation.Tempo"), (refusal.Kind, refusal.ReasonKey));
        Assert.Equal(before.Version, (await catalogue.Mediator.Send(new GetBeat(teacher, roomId))).Version);
    }

    [Fact]
    public async Task TheTeacherJumpsToARehearsalMarkOfTheRoomsScore()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var measures = Enumerable.Range(1, 24).Select(bar => new ScoreMeasure(bar, bar < 9 ? 3 : 2, 4, bar switch { 9 => "A", 17 => "B", _ => null })).ToList();
        await catalogue.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId).SelectScoreAsync(new ScoreChoice(Guid.NewGuid(), "Polska", ScoreKind.MusicXml, "/scores/x/file", measures, 0));

        var answer = await catalogue.Mediator.Send(new ChangeBeat(teacher, roomId, new BeatChange(Running: true, CountInBars: 0), JumpToMark: "b"));
        var unknown = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ChangeBeat(teacher, roomId, new BeatChange(), JumpToMark: "Q")).AsTask());

        Assert.Equal((17, 2), (answer.Anchor!.Bar, answer.BeatsPerBar));
        Assert.Equal("Validation.RehearsalMark", unknown.ReasonKey);
    }
}
