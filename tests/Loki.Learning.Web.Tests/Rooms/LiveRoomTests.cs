using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// The room's rules on their own: no cluster, no engine, no database. What the grain would post is read from the
/// outcomes.
public sealed class LiveRoomTests
{
    private static readonly DateTime Now = new(2026, 12, 6, 18, 0, 0, DateTimeKind.Utc);
    private static readonly RoomDescription Description = new(Guid.NewGuid(), OwnerKind.Ensemble, "Weekly rehearsal", "Strings", Guid.NewGuid(), Now, Now.AddHours(1), "Europe/Stockholm");

    private static readonly RoomMember Teacher = new("teacher", "Tove", RoomRole.Host, RecordingConsent: true);
    private static readonly RoomMember Pupil = new("pupil", "Elsa", RoomRole.Performer, RecordingConsent: true);

    private static LiveRoom OpenRoom()
    {
        var room = new LiveRoom(Guid.NewGuid(), new RoomState());
        room.OpenRoom(Description, 0);
        return room;
    }

    /// Joins and connects over JackTrip: handshake (code redeemed, engine id known), then the first datagram.
    private static int ConnectJackTrip(LiveRoom room, RoomMember member, int mediaId)
    {
        room.Join(member, Now, out var code, out _);
        room.RedeemJackTripCode(code, Now, out var redemption);
        Assert.True(redemption.Admitted);
        room.MediaAdmitted(code, mediaId);
        room.MediaJoined(code, mediaId);
        return mediaId;
    }

    private static int ConnectBrowser(LiveRoom room, RoomMember member, int mediaId)
    {
        room.Join(member, Now, out _, out var nonce);
        Assert.False(room.AdmitBrowserAudio(member.PersonId, nonce, Now, out var clientName).Refused);
        room.MediaJoined(clientName!, mediaId);
        return mediaId;
    }

    private static IEnumerable<int> Removed(RoomOutcome outcome) => outcome.Media.OfType<RemoveParticipant>().Select(r => r.ParticipantId);

    [Fact]
    public void ASecondJackTripConnectionOfThePersonEndsTheFirst()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1);
        var first = ConnectJackTrip(room, Pupil, 2);

        room.Join(Pupil, Now, out var code, out _);
        var redeemed = room.RedeemJackTripCode(code, Now, out _);

        Assert.Equal([first], Removed(redeemed));
        room.MediaAdmitted(code, 3);
        room.MediaJoined(code, 3);
        Assert.Equal(3, room.View(1).Roster.Single(p => p.PersonId == Pupil.PersonId).MediaId);
    }

    [Fact]
    public void ABrowserConnectionEndsTheJackTripOneAndTheOtherWayRound()
    {
        var room = OpenRoom();
        var jackTrip = ConnectJackTrip(room, Pupil, 1);

        room.Join(Pupil, Now, out var code, out var nonce);
        var browser = room.AdmitBrowserAudio(Pupil.PersonId, nonce, Now, out var clientName);
        Assert.Equal([jackTrip], Removed(browser));
        room.MediaJoined(clientName!, 2);

        room.Join(Pupil, Now, out code, out _);
        Assert.Equal([2], Removed(room.RedeemJackTripCode(code, Now, out _)));
    }

    [Fact]
    public void AConnectionReplacedWhileItWasStillHandshakingIsDroppedWhenTheEngineNamesIt()
    {
        var room = OpenRoom();
        room.Join(Pupil, Now, out var oldCode, out _);
        room.RedeemJackTripCode(oldCode, Now, out _);
        // A second join and connection before the engine reported the first handshake.
        room.Join(Pupil, Now, out var newCode, out _);
        room.RedeemJackTripCode(newCode, Now, out _);

        Assert.Equal([7], Removed(room.MediaAdmitted(oldCode, 7)));
        Assert.Equal([7], Removed(room.MediaJoined(oldCode, 7)));
        Assert.Empty(Removed(room.MediaAdmitted(newCode, 8)));
    }

    [Fact]
    public void RemoveEndsEveryConnectionTheEngineKnowsIncludingOneStillHandshaking()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1);
        ConnectBrowser(room, Pupil, 2);
        room.Join(Pupil, Now, out var code, out _);
        room.RedeemJackTripCode(code, Now, out _);
        room.MediaAdmitted(code, 3);

        var removed = room.Remove(Teacher.PersonId, Pupil.PersonId);

        Assert.False(removed.Refused);
        Assert.Equal([3], Removed(removed));
        Assert.DoesNotContain(room.View(1).Roster, p => p.PersonId == Pupil.PersonId);
        // Whatever of theirs the engine still reports is dropped, and nothing of theirs is admitted again.
        Assert.Equal([3], Removed(room.MediaJoined(code, 3)));
        room.Lock(Teacher.PersonId, true);
        Assert.Equal(RoomRefusal.RoomLocked, room.Join(Pupil, Now, out _, out _).Refusal);
    }

    [Fact]
    public void MuteAndStageActOnTheConnectionThatCarriesTheirAudio()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1);
        ConnectBrowser(room, Pupil, 2);
        var jackTrip = ConnectJackTrip(room, Pupil, 3);

        var muted = room.Mute(Teacher.PersonId, Pupil.PersonId, true);

        Assert.Equal([new SetMute(jackTrip, true)], muted.Media.OfType<SetMute>());
        Assert.True(room.View(1).Roster.Single(p => p.PersonId == Pupil.PersonId).Muted);
    }

    [Fact]
    public void ACodeWorksOnceAndNotAfterANewJoinOrItsLifetime()
    {
        var room = OpenRoom();
        room.Join(Pupil, Now, out var first, out _);
        room.Join(Pupil, Now, out var second, out _);

        room.RedeemJackTripCode(first, Now, out var stale);
        room.RedeemJackTripCode(second, Now + LiveRoom.CodeLifetime, out var expired);
        room.Join(Pupil, Now, out var third, out _);
        room.RedeemJackTripCode(third, Now, out var good);
        room.RedeemJackTripCode(third, Now, out var reused);

        Assert.False(stale.Admitted);
        Assert.False(expired.Admitted);
        Assert.True(good.Admitted);
        Assert.False(reused.Admitted);
    }

    [Fact]
    public void OnlyTheHostControlsOthersAndGainsAreChecked()
    {
        var room = OpenRoom();
        room.Join(Teacher, Now, out _, out _);
        room.Join(Pupil, Now, out _, out _);

        Assert.Equal(RoomRefusal.NotRoomHost, room.Remove(Pupil.PersonId, Teacher.PersonId).Refusal);
        Assert.Equal(RoomRefusal.NotRoomHost, room.Mute(Pupil.PersonId, Teacher.PersonId, true).Refusal);
        Assert.Equal(RoomRefusal.InvalidGain, room.SetGain(Teacher.PersonId, Pupil.PersonId, float.NaN).Refusal);
        Assert.Equal(RoomRefusal.InvalidGain, room.SetMyGain(Pupil.PersonId, Teacher.PersonId, 5).Refusal);
        Assert.Equal(RoomRefusal.NotInRoom, room.Mute(Teacher.PersonId, "nobody", true).Refusal);
        Assert.Equal("Refusal.NotRoomHost", RoomRefusal.NotRoomHost.Key());
        Assert.Equal("Validation.Gain", RoomRefusal.InvalidGain.Key());
    }

    [Fact]
    public void AnAdminWhoDoesNotBelongIsShownAsSuch()
    {
        var room = OpenRoom();
        room.Join(Pupil, Now, out _, out _);
        room.Join(new RoomMember("admin", "Ada", RoomRole.Host, AdminVisit: true), Now, out _, out _);

        var roster = room.View(1).Roster;

        Assert.True(roster.Single(p => p.PersonId == "admin").AdminVisit);
        Assert.False(roster.Single(p => p.PersonId == Pupil.PersonId).AdminVisit);
    }

    [Fact]
    public void AStartedTakeIncludesTheConnectedWithConsentAndARemovalLeavesIt()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1);
        ConnectBrowser(room, Pupil, 2);
        ConnectBrowser(room, Pupil with { PersonId = "other", DisplayName = "Olle", RecordingConsent = false }, 4);

        var started = room.StartTake(Guid.NewGuid(), "take", Now);
        var removed = room.Remove(Teacher.PersonId, Pupil.PersonId);

        Assert.True(started.Persist);
        Assert.IsType<TakeStarted>(started.Events[0]);
        Assert.Equal([1, 2], started.Events.OfType<TrackIncluded>().Select(i => i.MediaId).Order());
        Assert.Equal([2], removed.Events.OfType<TrackExcluded>().Select(e => e.MediaId));
        Assert.Equal(["Olle"], room.View(1).Recording!.NotRecorded);
    }

    [Fact]
    public void CloseEndsEverythingAndTheStateSaysSo()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1);

        var closed = room.Close(0);

        Assert.Contains(closed.Media, c => c is CloseRoom);
        Assert.True(closed.Persist);
        Assert.False(room.ToState().Open);
        Assert.Empty(room.View(1).Roster);
        Assert.Equal(RoomRefusal.RoomClosed, room.Join(Pupil, Now, out _, out _).Refusal);
    }
    [Fact]
    public void TheRoomTellsWhatHappenedInTheOrderItDecided()
    {
        var room = new LiveRoom(Guid.NewGuid(), new RoomState());
        var opened = room.OpenRoom(Description, 0);
        room.Join(Teacher, Now, out var code, out _);
        room.RedeemJackTripCode(code, Now, out _);
        room.MediaAdmitted(code, 1);
        var joined = room.MediaJoined(code, 1);
        var take = Guid.NewGuid();
        room.StartTake(take, "take", Now);
        var beat = room.ChangeBeat(new BeatChange(Running: true, Bpm: 100), 0);
        var marker = room.DropMarker("A");

        var closed = room.Close(0);

        Assert.Equal(Description, Assert.IsType<LiveRoomOpened>(Assert.Single(opened.Events)).Description);
        var admitted = Assert.IsType<AudioConnected>(joined.Events[0]);
        Assert.Equal((Teacher.PersonId, 1, AudioVia.JackTrip), (admitted.PersonId, admitted.MediaId, admitted.Via));
        Assert.IsType<BeatChanged>(Assert.Single(beat.Events));
        var dropped = Assert.IsType<MarkerDropped>(Assert.Single(marker.Events));
        Assert.Equal((take, "A"), (dropped.RecordingId, dropped.Name));
        // The take ends before the room closes: the recorder stores it while the room's audio is still there.
        Assert.Equal([typeof(TakeStopped), typeof(LiveRoomClosed)], closed.Events.Select(e => e.GetType()));
        Assert.All(closed.Events, e => Assert.Equal(room.RoomId, e.RoomId));
        Assert.Null(room.ToState().Recording);
    }

    [Fact]
    public void ATakeTheRecorderCouldNotStartIsShownAndTheRoomMayRecordAgain()
    {
        var room = OpenRoom();
        var take = Guid.NewGuid();
        room.StartTake(take, "take", Now);

        var reported = room.TakeProblem(take, "Recording.Problem.NotStarted");

        Assert.True(reported.Persist);
        Assert.Null(room.ToState().Recording);
        Assert.Equal("Recording.Problem.NotStarted", room.View(1).RecordingProblem);
        Assert.Equal(RoomRefusal.NotRecording, room.DropMarker("A").Refusal);
        var again = room.StartTake(Guid.NewGuid(), "take-2", Now);
        Assert.False(again.Refused);
        Assert.Null(room.View(2).RecordingProblem);
        // A late report about the old take does not end the new one.
        room.TakeProblem(take, "Recording.Problem.NotStored");
        Assert.NotNull(room.View(3).Recording);
    }

    [Fact]
    public void ARoomRestoredWithATakeRunningEndsItAsCutOff()
    {
        var take = Guid.NewGuid();
        var room = new LiveRoom(Guid.NewGuid(), new RoomState(Description, Open: true, Recording: new RoomRecordingState(take, Now, [])));

        var cut = room.CutOffTake();

        Assert.Equal(take, Assert.IsType<TakeCutOff>(Assert.Single(cut.Events)).RecordingId);
        Assert.True(cut.Persist);
        Assert.Null(room.ToState().Recording);
        Assert.Empty(room.CutOffTake().Events);
    }

    private const double StartMs = 1_000_000;

    /// Plays <paramref name="bars"/> bars of 4/4 at 120 BPM (2 s a bar) after a start at <see cref="StartMs"/>.
    private static double AfterBars(LiveRoom room, int bars) => room.Beat.TimeOfBeat(bars * 4) + 10;

    private static LiveRoom RoomPlaying(params RoomMember[] members)
    {
        var room = OpenRoom();
        foreach (var member in members)
        {
            room.Join(member, Now, out _, out _);
        }
        room.ChangeBeat(new BeatChange(Bpm: 120, BeatsPerBar: 4, BeatUnit: 4, CountInBars: 0, Running: true), StartMs);
        Assert.True(room.Beat.Running);
        return room;
    }

    [Fact]
    public void StartingTheMetronomeAgainAfterAStopStartsAtBarOne()
    {
        var room = RoomPlaying(Teacher);
        var stoppedAt = AfterBars(room, 12);

        room.ChangeBeat(new BeatChange(Running: false), stoppedAt);
        room.ChangeBeat(new BeatChange(Running: true), stoppedAt + 1000);

        Assert.Equal(1, room.Beat.StartBar);
        Assert.Equal(1, room.Beat.PositionOfBeat(0).Bar);
    }

    [Fact]
    public void TheHostMayStartFromABarOfTheirChoice()
    {
        var room = RoomPlaying(Teacher);
        var stoppedAt = AfterBars(room, 3);
        room.ChangeBeat(new BeatChange(Running: false), stoppedAt);

        room.ChangeBeat(new BeatChange(Running: true, JumpToBar: 9), stoppedAt + 1000);

        Assert.Equal(9, room.Beat.PositionOfBeat(0).Bar);
    }

    [Fact]
    public void ClosingTheRoomStopsTheBeatAndReopeningStartsAtBarOne()
    {
        var room = RoomPlaying(Teacher, Pupil);
        var closedAt = AfterBars(room, 181);

        var closed = room.Close(closedAt);
        Assert.False(room.Beat.Running);
        Assert.True(closed.Persist);

        // The state the room is stored with comes back on a node that resumes it.
        var reopened = new LiveRoom(room.RoomId, room.ToState());
        reopened.OpenRoom(Description, closedAt + 60_000);
        reopened.Join(Teacher, Now, out _, out _);
        reopened.ChangeBeat(new BeatChange(Running: true), closedAt + 61_000);
        Assert.Equal(1, reopened.Beat.PositionOfBeat(0).Bar);
    }

    [Fact]
    public void AStoredRoomThatWasLeftRunningOpensStoppedAtBarOne()
    {
        var running = RoomPlaying(Teacher).ToState() with { Open = false };

        var room = new LiveRoom(Guid.NewGuid(), running);
        room.OpenRoom(Description, StartMs + 400_000);

        Assert.False(room.Beat.Running);
        Assert.Equal(1, room.Beat.StartBar);
    }

    [Fact]
    public void TheLastPersonLeavingStopsTheBeatAndTheEnginesClick()
    {
        var room = RoomPlaying(Teacher, Pupil);

        room.Leave(Pupil.PersonId, Now, AfterBars(room, 2));
        Assert.True(room.Beat.Running);
        var last = room.Leave(Teacher.PersonId, Now, AfterBars(room, 3));

        Assert.False(room.Beat.Running);
        Assert.Equal(1, room.Beat.StartBar);
        Assert.True(last.Persist);
        Assert.Contains(last.Media, m => m is SetClickTrack { Track: null });
    }

    [Fact]
    public void SomeoneWhoseTabClosedLeavesTheRosterAfterThePresenceTimeout()
    {
        var room = OpenRoom();
        room.Join(Teacher, Now, out _, out _);
        room.Join(Pupil, Now, out _, out _);

        var later = Now + LiveRoom.PresenceTimeout;
        Assert.False(room.Seen(Teacher.PersonId, later - TimeSpan.FromSeconds(1)).Refused);
        var early = room.SweepAbsent(later - TimeSpan.FromSeconds(1), StartMs);
        Assert.Equal(2, room.View(1).Roster.Count);
        Assert.False(early.Changed);

        var swept = room.SweepAbsent(later, StartMs);

        Assert.True(swept.Changed);
        Assert.Equal([Teacher.PersonId], room.View(2).Roster.Select(p => p.PersonId));
        Assert.True(room.Seen(Pupil.PersonId, later).Refused);
    }

    [Fact]
    public void AJackTripClientStillSendingKeepsItsPersonInTheRoomWithoutAPage()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Pupil, 7);

        room.SweepAbsent(Now + LiveRoom.PresenceTimeout * 3, StartMs);

        Assert.Equal(Pupil.PersonId, room.View(1).Roster.Single().PersonId);
    }

    [Fact]
    public void WhenTheLastTabClosesTheBeatStops()
    {
        var room = RoomPlaying(Teacher);

        room.SweepAbsent(Now + LiveRoom.PresenceTimeout, AfterBars(room, 5));

        Assert.Empty(room.View(1).Roster);
        Assert.False(room.Beat.Running);
        Assert.Equal(1, room.Beat.StartBar);
    }

    [Fact]
    public void AnOpenRoomWithNobodyInItStopsItsBeatOnceThePresenceTimeoutHasPassed()
    {
        // A room resumed on another node after its node was lost: open, running, and nobody has come back yet.
        var stored = RoomPlaying(Teacher).ToState();
        var room = new LiveRoom(Guid.NewGuid(), stored);
        room.Resume();

        room.SweepAbsent(Now, StartMs + 5000);
        Assert.True(room.Beat.Running);
        room.SweepAbsent(Now + LiveRoom.PresenceTimeout, StartMs + 35_000);

        Assert.False(room.Beat.Running);
    }
}
