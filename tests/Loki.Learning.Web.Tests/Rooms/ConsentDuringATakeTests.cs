using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// An adult who says yes (or no) to recording from the banner while a take runs: the room's rules alone.
public sealed class ConsentDuringATakeTests
{
    private static readonly DateTime Now = new(2026, 12, 6, 18, 0, 0, DateTimeKind.Utc);

    private static readonly RoomMember Lecturer = new("lecturer", "Lena", RoomRole.Host, RecordingConsent: true);
    private static readonly RoomMember Student = new("student", "Sam", RoomRole.Performer, RecordingConsent: false);

    private static LiveRoom RoomWithBothConnected()
    {
        var room = new LiveRoom(Guid.NewGuid(), new RoomState());
        room.OpenRoom(new RoomDescription(Guid.NewGuid(), OwnerKind.Course, "Seminar", "Course", Guid.NewGuid(), Now, Now.AddHours(1), "Europe/Stockholm"), 0);
        foreach (var (member, mediaId) in new[] { (Lecturer, 1), (Student, 2) })
        {
            room.Join(member, Now, out _, out var nonce);
            Assert.False(room.AdmitBrowserAudio(member.PersonId, nonce, Now, out var clientName).Refused);
            room.MediaJoined(clientName!, mediaId);
        }
        return room;
    }

    [Fact]
    public void AStudentWhoConsentsDuringATakeGoesIntoItAtOnceAndLeavesItWhenWithdrawing()
    {
        var room = RoomWithBothConnected();
        var started = room.StartTake(Guid.NewGuid(), "take", Now);
        Assert.Equal([1], started.Events.OfType<TrackIncluded>().Select(i => i.MediaId));
        Assert.Equal(["Sam"], room.View(1).Recording!.NotRecorded);

        var consented = room.SetRecordingConsent(Student.PersonId, true);

        Assert.Equal([2], consented.Events.OfType<TrackIncluded>().Select(i => i.MediaId));
        Assert.Empty(room.View(2).Recording!.NotRecorded);

        var withdrawn = room.SetRecordingConsent(Student.PersonId, false);

        Assert.Equal([2], withdrawn.Events.OfType<TrackExcluded>().Select(e => e.MediaId));
        Assert.Equal(["Sam"], room.View(3).Recording!.NotRecorded);
    }

    [Fact]
    public void SayingYesTwiceAddsTheStudentOnceAndSomeoneOutsideTheRoomIsRefused()
    {
        var room = RoomWithBothConnected();
        room.StartTake(Guid.NewGuid(), "take", Now);
        room.SetRecordingConsent(Student.PersonId, true);

        var again = room.SetRecordingConsent(Student.PersonId, true);
        var stranger = room.SetRecordingConsent("stranger", true);

        Assert.Empty(again.Events);
        Assert.True(stranger.Refused);
    }
}
