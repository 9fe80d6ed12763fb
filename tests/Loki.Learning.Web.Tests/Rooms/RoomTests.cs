using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Rooms;

[Collection(nameof(CatalogueCollection))]
public sealed class RoomTests(Catalogue catalogue)
{
    /// A rehearsal of a fresh ensemble with one teacher and one approved pupil.
    private Task<(Actor Teacher, Actor Pupil, Guid RoomId)> RehearsalAsync() => catalogue.WithTeacherAndPupilAsync();

    [Fact]
    public async Task TheHostOpensTheRoomAndBothSeeEachOtherInTheRoster()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();

        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var teacherJoin = await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        var pupilJoin = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var seenByPupil = await catalogue.Mediator.Send(new GetRoom(pupil, roomId));

        Assert.Equal(RoomRole.Host, teacherJoin.Role);
        Assert.Equal(RoomRole.Performer, pupilJoin.Role);
        Assert.Equal(["Tove", "Elsa"], seenByPupil.View.Roster.Select(p => p.DisplayName));
        Assert.True(seenByPupil.View.Open);
    }

    [Fact]
    public async Task AnAdminWhoDoesNotBelongIsShownToEveryoneAndTheVisitIsKept()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        var admin = await catalogue.PersonAsync(Roles.Admin);
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));

        var entered = await catalogue.Mediator.Send(new JoinRoom(admin, roomId));
        var seenByPupil = await catalogue.Mediator.Send(new GetRoom(pupil, roomId));
        var visits = await catalogue.Mediator.Send(new ListRoomVisits(admin));

        Assert.Equal(RoomRole.Host, entered.Role);
        Assert.True(seenByPupil.View.Roster.Single(p => p.PersonId == admin.PersonId).AdminVisit);
        Assert.False(seenByPupil.View.Roster.Single(p => p.PersonId == teacher.PersonId).AdminVisit);
        Assert.Contains(visits, v => v.RoomId == roomId && v.PersonId == admin.PersonId);
        Assert.DoesNotContain(visits, v => v.PersonId == teacher.PersonId);
        await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ListRoomVisits(teacher)).AsTask());
    }

    [Fact]
    public async Task JoiningAClosedRoomIsRefused()
    {
        var (_, pupil, roomId) = await RehearsalAsync();

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new JoinRoom(pupil, roomId)).AsTask());

        Assert.Equal("Refusal.RoomClosed", refusal.ReasonKey);
    }

    [Fact]
    public async Task AStrangerCannotJoinSeeOrOpenTheRoom()
    {
        var (teacher, _, roomId) = await RehearsalAsync();
        var stranger = await catalogue.PersonAsync(Roles.Student);
        var otherTeacher = await catalogue.PersonAsync(Roles.Teacher);
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));

        var join = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new JoinRoom(stranger, roomId)).AsTask());
        var see = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetRoom(stranger, roomId)).AsTask());
        var open = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new OpenLiveRoom(otherTeacher, roomId)).AsTask());

        Assert.All([join, see, open], r => Assert.Equal("Refusal.RoomNotFound", r.ReasonKey));
    }

    [Fact]
    public async Task APupilCannotOpenTheRoomOrMuteOthers()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();

        var open = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new OpenLiveRoom(pupil, roomId)).AsTask());
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var mute = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ControlRoom(pupil, roomId, RoomControl.Mute, teacher.PersonId)).AsTask());

        Assert.Equal("Refusal.NotRoomHost", open.ReasonKey);
        Assert.Equal("Refusal.NotRoomHost", mute.ReasonKey);
    }

    [Fact]
    public async Task ALockedRoomKeepsNewcomersOutButNotThoseAlreadyIn()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        await catalogue.Mediator.Send(new ControlRoom(teacher, roomId, RoomControl.Lock));

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new JoinRoom(pupil, roomId)).AsTask());
        var teacherAgain = await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));

        Assert.Equal("Refusal.RoomLocked", refusal.ReasonKey);
        Assert.Equal(RoomRole.Host, teacherAgain.Role);
    }

    [Fact]
    public async Task TheHostMutesRaisesAndRemoves()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        await catalogue.Mediator.Send(new ControlRoom(pupil, roomId, RoomControl.RaiseHand));
        await catalogue.Mediator.Send(new ControlRoom(teacher, roomId, RoomControl.Mute, pupil.PersonId));
        var muted = (await catalogue.Mediator.Send(new GetRoom(teacher, roomId))).View.Roster.Single(p => p.PersonId == pupil.PersonId);
        await catalogue.Mediator.Send(new ControlRoom(teacher, roomId, RoomControl.Remove, pupil.PersonId));
        var after = (await catalogue.Mediator.Send(new GetRoom(teacher, roomId))).View.Roster;

        Assert.True(muted.Muted);
        Assert.True(muted.HandRaised);
        Assert.DoesNotContain(after, p => p.PersonId == pupil.PersonId);
    }

    [Fact]
    public async Task AJackTripCodeIsBoundToItsRoomAndWorksOnce()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var room = catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId);

        Assert.True(join.JackTripCode.Length <= 63);
        Assert.StartsWith(roomId.ToString("N"), join.JackTripCode, StringComparison.Ordinal);
        Assert.Contains($"-K {join.JackTripCode}", join.JackTripCommand, StringComparison.Ordinal);
        Assert.Contains($"-P {join.JackTripPort}", join.JackTripCommand, StringComparison.Ordinal);
        var otherRoom = catalogue.Cluster.Client.GetGrain<IRoomGrain>(Guid.NewGuid());
        Assert.False((await otherRoom.RedeemJackTripCodeAsync(join.JackTripCode)).Admitted);
        var first = await room.RedeemJackTripCodeAsync(join.JackTripCode);
        var second = await room.RedeemJackTripCodeAsync(join.JackTripCode);

        Assert.True(first.Admitted);
        Assert.Equal(pupil.PersonId, first.PersonId);
        Assert.False(second.Admitted);
    }

    [Fact]
    public async Task AnExpiredJackTripCodeIsRefused()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        catalogue.Clock.Advance(LiveRoom.CodeLifetime + TimeSpan.FromSeconds(1));
        var redemption = await catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId).RedeemJackTripCodeAsync(join.JackTripCode);

        Assert.False(redemption.Admitted);
    }

    [Fact]
    public async Task TheRoomsListHoldsMyScheduledRoomsAndWhetherTheyAreOpen()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));

        var rooms = await catalogue.Mediator.Send(new ListMyRooms(pupil));

        var room = Assert.Single(rooms);
        Assert.Equal(roomId, room.RoomId);
        Assert.Equal(OwnerKind.Ensemble, room.Kind);
        Assert.True(room.Open);
    }

    [Fact]
    public async Task AnEnrolledStudentPerformsInTheClassSessionRoom()
    {
        var lecturer = await catalogue.PersonAsync(Roles.Teacher);
        var student = await catalogue.PersonAsync(Roles.Student);
        var courseId = await catalogue.Mediator.Send(new CreateCourse(lecturer, "Rhythm lab", "", 5, "rhythm", "Europe/Stockholm", false));
        await catalogue.Mediator.Send(new SelfEnrollInCourse(student, courseId, "rhythm"));
        var sessionId = await catalogue.Mediator.Send(new ScheduleMeeting(lecturer, OwnerKind.Course, courseId, "Lab 1", new DateTime(2026, 12, 4, 9, 0, 0), 60));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var roomId = await db.Meetings.Where(s => s.Id == sessionId).Select(s => s.RoomId).SingleAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(lecturer, roomId));

        var join = await catalogue.Mediator.Send(new JoinRoom(student, roomId));

        Assert.Equal(RoomRole.Performer, join.Role);
        Assert.Equal("Lab 1", join.Title);
    }

    [Fact]
    public async Task EachParticipantSetsTheirOwnMixWithoutChangingAnyoneElses()
    {
        var (teacher, pupil, roomId) = await RehearsalAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var room = catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId);

        await catalogue.Mediator.Send(new ControlRoom(pupil, roomId, RoomControl.SetMyGain, teacher.PersonId, 1.5f));
        await catalogue.Mediator.Send(new ControlRoom(pupil, roomId, RoomControl.SelfMonitorOn));
        var tooLoud = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ControlRoom(pupil, roomId, RoomControl.SetMyGain, teacher.PersonId, 9f)).AsTask());

        var pupilMix = await room.GetMyMixAsync(pupil.PersonId);
        var teacherMix = await room.GetMyMixAsync(teacher.PersonId);
        Assert.Equal(1.5f, pupilMix.Gains[teacher.PersonId]);
        Assert.True(pupilMix.SelfMonitor);
        Assert.Empty(teacherMix.Gains);
        Assert.False(teacherMix.SelfMonitor);
        Assert.Equal(RefusalKind.Invalid, tooLoud.Kind);
        Assert.Equal("Validation.Gain", tooLoud.ReasonKey);
    }

    [Theory]
    [InlineData(62.5, 120, 32)]
    [InlineData(20, 120, 64)]
    [InlineData(125, 120, 16)]
    [InlineData(3, 120, 0)]
    [InlineData(500, 120, 4)]
    public void DelaysAreNamedAfterTheNearestNoteValue(double ms, double bpm, int expected) =>
        Assert.Equal(expected, MusicalLatency.NearestNoteValue(ms, bpm));

    [Theory]
    [InlineData(12, LatencyBand.Tight)]
    [InlineData(25, LatencyBand.Tight)]
    [InlineData(40, LatencyBand.LeaderFollower)]
    [InlineData(80, LatencyBand.Listen)]
    public void DelaysFallIntoTheEnsembleThresholds(double ms, LatencyBand expected) => Assert.Equal(expected, MusicalLatency.Band(ms));
}
