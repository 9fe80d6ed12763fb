using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// The room's rules for presenting on their own: who may share a screen (the host, and whom the host allows), and the
/// slides everyone sees at the host's page.
public sealed class PresentingInTheRoomTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 9, 0, 0, DateTimeKind.Utc);
    private static readonly RoomDescription Description = new(Guid.NewGuid(), OwnerKind.Course, "Lecture", "Ensemble pedagogy", Guid.NewGuid(), Now, Now.AddHours(1), "Europe/Stockholm");

    private static readonly RoomMember Lecturer = new("lecturer", "Lena", RoomRole.Host);
    private static readonly RoomMember Student = new("student", "Sami", RoomRole.Performer);
    private static readonly RoomMember Other = new("other", "Olle", RoomRole.Performer);

    private static readonly ScoreChoice Pdf = new(Guid.NewGuid(), "Week 3", ScoreKind.Pdf, "/materials/x/file", [], 5);

    private static LiveRoom RoomWithEveryone()
    {
        var room = new LiveRoom(Guid.NewGuid(), new RoomState());
        room.OpenRoom(Description, 0);
        foreach (var member in new[] { Lecturer, Student, Other })
        {
            Assert.False(room.Join(member, Now, out _, out _).Refused);
        }
        return room;
    }

    [Fact]
    public void OnlyTheHostSharesAScreenUntilTheyAllowSomeoneAndTakingItBackEndsIt()
    {
        var room = RoomWithEveryone();
        Assert.True(room.MayShareScreen(Lecturer.PersonId));
        Assert.False(room.MayShareScreen(Student.PersonId));

        var allowed = room.AllowScreenShare(Lecturer.PersonId, Student.PersonId, true);

        Assert.False(allowed.Refused);
        Assert.True(allowed.Persist);
        Assert.True(room.MayShareScreen(Student.PersonId));
        Assert.False(room.MayShareScreen(Other.PersonId));
        var view = room.View(1);
        Assert.True(view.MayShareScreen(Student.PersonId));
        Assert.True(view.Roster.Single(p => p.PersonId == Student.PersonId).MayShareScreen);
        Assert.False(view.MayShareScreen(Other.PersonId));

        Assert.False(room.AllowScreenShare(Lecturer.PersonId, Student.PersonId, false).Refused);
        Assert.False(room.MayShareScreen(Student.PersonId));
        Assert.False(room.View(2).MayShareScreen(Student.PersonId));
    }

    [Fact]
    public void AParticipantCannotAllowThemselvesOrAnyoneElseToShare()
    {
        var room = RoomWithEveryone();

        Assert.Equal(RoomRefusal.NotRoomHost, room.AllowScreenShare(Student.PersonId, Student.PersonId, true).Refusal);
        Assert.Equal(RoomRefusal.NotRoomHost, room.AllowScreenShare(Student.PersonId, Other.PersonId, true).Refusal);
        Assert.Equal(RoomRefusal.NotInRoom, room.AllowScreenShare(Lecturer.PersonId, "stranger", true).Refusal);
        Assert.False(room.MayShareScreen(Student.PersonId));
        Assert.False(room.MayShareScreen("stranger"));
    }

    [Fact]
    public void RemovingSomeoneOrClosingTheRoomTakesTheirGrantAway()
    {
        var room = RoomWithEveryone();
        room.AllowScreenShare(Lecturer.PersonId, Student.PersonId, true);
        room.AllowScreenShare(Lecturer.PersonId, Other.PersonId, true);

        room.Remove(Lecturer.PersonId, Student.PersonId);
        room.Join(Student, Now, out _, out _);
        Assert.False(room.MayShareScreen(Student.PersonId));

        room.Close(0);
        room.OpenRoom(Description, 0);
        room.Join(Other, Now, out _, out _);
        Assert.False(room.MayShareScreen(Other.PersonId));
    }

    [Fact]
    public void AGrantAndTheSlidesPageSurviveTheRoomMovingToAnotherNode()
    {
        var room = RoomWithEveryone();
        room.AllowScreenShare(Lecturer.PersonId, Student.PersonId, true);
        room.PresentSlides(Lecturer.PersonId, Pdf);
        room.TurnSlide(Lecturer.PersonId, 3);

        var moved = new LiveRoom(room.RoomId, room.ToState());
        moved.Join(Student, Now, out _, out _);

        Assert.True(moved.MayShareScreen(Student.PersonId));
        Assert.Equal(Pdf, moved.View(1).Slides);
        Assert.Equal(3, moved.View(1).SlidePage);
    }

    [Fact]
    public void TheHostPresentsAPdfFromPageOneTurnsItWithinItsPagesAndStops()
    {
        var room = RoomWithEveryone();

        Assert.False(room.PresentSlides(Lecturer.PersonId, Pdf).Refused);
        Assert.Equal(1, room.View(1).SlidePage);
        Assert.True(room.TurnSlide(Lecturer.PersonId, 3).Changed);
        Assert.Equal(3, room.View(2).SlidePage);
        room.TurnSlide(Lecturer.PersonId, 99);
        Assert.Equal(5, room.SlidePage);
        room.TurnSlide(Lecturer.PersonId, -4);
        Assert.Equal(1, room.SlidePage);
        Assert.False(room.TurnSlide(Lecturer.PersonId, 1).Changed);

        room.TurnSlide(Lecturer.PersonId, 4);
        Assert.False(room.PresentSlides(Lecturer.PersonId, null).Refused);
        Assert.Null(room.View(3).Slides);
        Assert.Equal(RoomRefusal.NoSlides, room.TurnSlide(Lecturer.PersonId, 2).Refusal);
        room.PresentSlides(Lecturer.PersonId, Pdf);
        Assert.Equal(1, room.SlidePage);
    }

    [Fact]
    public void OnlyTheHostPresentsOrTurnsAndOnlyAPdf()
    {
        var room = RoomWithEveryone();
        room.PresentSlides(Lecturer.PersonId, Pdf);

        Assert.Equal(RoomRefusal.NotRoomHost, room.PresentSlides(Student.PersonId, null).Refusal);
        Assert.Equal(RoomRefusal.NotRoomHost, room.TurnSlide(Student.PersonId, 2).Refusal);
        Assert.Equal(RoomRefusal.NotSlides, room.PresentSlides(Lecturer.PersonId, Pdf with { Kind = ScoreKind.MusicXml }).Refusal);
        Assert.Equal(Pdf, room.Slides);
        Assert.Equal(1, room.SlidePage);
        Assert.Equal("Slides.Refusal.NotPdf", RoomRefusal.NotSlides.Key());
    }
}
