using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// The room's rules for a multichannel site (a hall sending 8 channels over JackTrip) and a production site that takes
/// them unmixed, on the model alone: what the grain would post to the engine is read from the outcomes.
public sealed class MultichannelSiteRulesTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 18, 0, 0, DateTimeKind.Utc);
    private static readonly RoomDescription Description = new(Guid.NewGuid(), OwnerKind.Ensemble, "Concert run", "Hall", Guid.NewGuid(), Now, Now.AddHours(1), "Europe/Stockholm");

    private static readonly RoomMember Teacher = new("teacher", "Tove", RoomRole.Host);
    private static readonly RoomMember Hall = new("hall", "Konserthuset", RoomRole.Performer);
    private static readonly RoomMember Studio = new("studio", "Studio B", RoomRole.Performer);
    private static readonly RoomMember Pupil = new("pupil", "Elsa", RoomRole.Performer);

    private static LiveRoom OpenRoom(RoomState? state = null)
    {
        var room = new LiveRoom(Guid.NewGuid(), state ?? new RoomState());
        room.OpenRoom(Description, 0);
        return room;
    }

    private static RoomOutcome ConnectJackTrip(LiveRoom room, RoomMember member, int mediaId, int channels)
    {
        room.Join(member, Now, out var code, out _);
        room.RedeemJackTripCode(code, Now, out var redemption);
        Assert.True(redemption.Admitted);
        room.MediaAdmitted(code, mediaId);
        return room.MediaJoined(code, mediaId, channels);
    }

    private static RosterEntry Entry(LiveRoom room, string personId) => room.View(1).Roster.Single(p => p.PersonId == personId);

    [Fact]
    public void AHallIsMixedWithEveryChannelItSendsAndListenersWithOne()
    {
        var room = OpenRoom();
        room.Join(Hall, Now, out var hallCode, out _);
        room.Join(new RoomMember("listener", "Lis", RoomRole.Listener), Now, out var listenerCode, out _);

        room.RedeemJackTripCode(hallCode, Now, out var hall);
        room.RedeemJackTripCode(listenerCode, Now, out var listener);

        Assert.Null(hall.Channels);
        Assert.Equal(1, listener.Channels);
    }

    [Fact]
    public void TheRosterShowsAHallsChannelsAtTheEvenSpreadUntilTheHostPlacesOne()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);

        var hall = Entry(room, Hall.PersonId);
        Assert.Equal(8, hall.Channels);
        Assert.Equal(8, hall.ChannelMix!.Count);
        Assert.Equal(-1f, hall.ChannelMix[0].Pan);
        Assert.Equal(1f, hall.ChannelMix[7].Pan);
        Assert.Equal(0.5f, hall.ChannelMix[3].Gain, 5);
        Assert.Null(Entry(room, Teacher.PersonId).ChannelMix);

        var placed = room.SetChannelMix(Teacher.PersonId, Hall.PersonId, 2, 0.25f, 1.5f);

        Assert.False(placed.Refused);
        Assert.True(placed.Persist);
        Assert.Equal([new SetChannelMix(2, 2, 0.25f, 1.5f)], placed.Media);
        Assert.Equal(new ChannelPlace(0.25f, 1.5f), Entry(room, Hall.PersonId).ChannelMix![2]);
    }

    [Fact]
    public void OnlyTheHostPlacesChannelsOrPassesThemThroughAndNothingChangesOtherwise()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);
        ConnectJackTrip(room, Studio, 3, 2);
        var before = Entry(room, Hall.PersonId).ChannelMix;

        var placed = room.SetChannelMix(Hall.PersonId, Hall.PersonId, 0, 1f, 4f);
        var reset = room.ResetChannelMix(Studio.PersonId, Hall.PersonId);
        var passed = room.SetPassthrough(Studio.PersonId, Studio.PersonId, Hall.PersonId);
        var stranger = room.SetChannelMix("stranger", Hall.PersonId, 0, 1f, 4f);

        Assert.All([placed, reset, passed, stranger], o =>
        {
            Assert.Equal(RoomRefusal.NotRoomHost, o.Refusal);
            Assert.Empty(o.Media);
        });
        Assert.Equal(before, Entry(room, Hall.PersonId).ChannelMix);
        Assert.Null(Entry(room, Studio.PersonId).PassthroughFrom);
    }

    [Theory]
    [InlineData(0, 1.5f, 1f, RoomRefusal.InvalidPan)]
    [InlineData(0, float.NaN, 1f, RoomRefusal.InvalidPan)]
    [InlineData(0, 0f, -0.1f, RoomRefusal.InvalidGain)]
    [InlineData(0, 0f, float.PositiveInfinity, RoomRefusal.InvalidGain)]
    [InlineData(8, 0f, 1f, RoomRefusal.NoSuchChannel)]
    [InlineData(-1, 0f, 1f, RoomRefusal.NoSuchChannel)]
    public void BadPlacesAreRefusedWithTheirReason(int channel, float pan, float gain, RoomRefusal expected)
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);

        var outcome = room.SetChannelMix(Teacher.PersonId, Hall.PersonId, channel, pan, gain);

        Assert.Equal(expected, outcome.Refusal);
        Assert.Empty(outcome.Media);
    }

    [Fact]
    public void AStereoParticipantHasNoChannelsToPlace()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Pupil, 2, 2);

        Assert.Equal(RoomRefusal.NotMultichannel, room.SetChannelMix(Teacher.PersonId, Pupil.PersonId, 0, 0f, 1f).Refusal);
        Assert.Equal(RoomRefusal.NotMultichannel, room.ResetChannelMix(Teacher.PersonId, Pupil.PersonId).Refusal);
    }

    [Fact]
    public void ResetPutsEveryChannelBackToTheEvenSpread()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 4);
        room.SetChannelMix(Teacher.PersonId, Hall.PersonId, 1, 1f, 0f);

        var reset = room.ResetChannelMix(Teacher.PersonId, Hall.PersonId);

        var spread = MathF.Sqrt(0.5f);
        Assert.Equal(
            [new SetChannelMix(2, 0, -1f, spread), new SetChannelMix(2, 1, -1f / 3, spread), new SetChannelMix(2, 2, 1f / 3, spread), new SetChannelMix(2, 3, 1f, spread)],
            reset.Media.Cast<SetChannelMix>(),
            new SetChannelMixComparer());
        Assert.All(Entry(room, Hall.PersonId).ChannelMix!, place => Assert.Equal(spread, place.Gain, 5));
    }

    [Fact]
    public void AHallThatReconnectsGetsItsPlacesAgainUnderItsNewEngineId()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);
        room.SetChannelMix(Teacher.PersonId, Hall.PersonId, 0, 1f, 0.2f);
        room.SetChannelMix(Teacher.PersonId, Hall.PersonId, 7, -1f, 0f);

        room.MediaLeft(2);
        var back = ConnectJackTrip(room, Hall, 9, 8);

        Assert.Equal([new SetChannelMix(9, 0, 1f, 0.2f), new SetChannelMix(9, 7, -1f, 0f)], back.Media.OfType<SetChannelMix>());
    }

    [Fact]
    public void TheChosenMixOutlivesTheGrainsMoveButNotTheRoomsClose()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);
        ConnectJackTrip(room, Studio, 3, 8);
        room.SetChannelMix(Teacher.PersonId, Hall.PersonId, 3, 0.5f, 2f);
        room.SetPassthrough(Teacher.PersonId, Studio.PersonId, Hall.PersonId);

        // The room comes back on another node from its stored state; the sites connect again.
        var moved = new LiveRoom(room.RoomId, room.ToState());
        moved.Resume();
        ConnectJackTrip(moved, Teacher, 11, 2);
        var studio = ConnectJackTrip(moved, Studio, 13, 8);
        var hall = ConnectJackTrip(moved, Hall, 12, 8);

        Assert.Empty(studio.Media.OfType<SetPassthrough>()); // its source is not back yet
        Assert.Contains(new SetChannelMix(12, 3, 0.5f, 2f), hall.Media);
        Assert.Contains(new SetPassthrough(13, 12), hall.Media);
        Assert.Equal(Hall.PersonId, Entry(moved, Studio.PersonId).PassthroughFrom);

        moved.Close(0);
        var reopened = new LiveRoom(room.RoomId, moved.ToState());
        reopened.OpenRoom(Description, 0);
        ConnectJackTrip(reopened, Teacher, 21, 2);
        var fresh = ConnectJackTrip(reopened, Hall, 22, 8);
        Assert.Empty(fresh.Media.OfType<SetChannelMix>());
    }

    [Fact]
    public void AProductionSiteReceivesTheHallUnmixedAgainAfterEitherReconnects()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);
        ConnectJackTrip(room, Studio, 3, 8);

        var passed = room.SetPassthrough(Teacher.PersonId, Studio.PersonId, Hall.PersonId);
        Assert.Equal([new SetPassthrough(3, 2)], passed.Media);
        Assert.Equal(Hall.PersonId, Entry(room, Studio.PersonId).PassthroughFrom);

        room.MediaLeft(2);
        Assert.Contains(new SetPassthrough(3, 4), ConnectJackTrip(room, Hall, 4, 8).Media);
        room.MediaLeft(3);
        Assert.Contains(new SetPassthrough(5, 4), ConnectJackTrip(room, Studio, 5, 8).Media);

        var back = room.SetPassthrough(Teacher.PersonId, Studio.PersonId, null);
        Assert.Equal([new SetPassthrough(5, null)], back.Media);
        Assert.Null(Entry(room, Studio.PersonId).PassthroughFrom);
    }

    [Fact]
    public void TheHostMayTakeTheHallUnmixedThemselvesButABrowserCannot()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 8);
        ConnectJackTrip(room, Hall, 2, 8);
        room.Join(Pupil, Now, out _, out var nonce);
        room.AdmitBrowserAudio(Pupil.PersonId, nonce, Now, out var clientName);
        room.MediaJoined(clientName!, 3, 1);

        Assert.Equal([new SetPassthrough(1, 2)], room.SetPassthrough(Teacher.PersonId, Teacher.PersonId, Hall.PersonId).Media);
        Assert.Equal(RoomRefusal.PassthroughNeedsJackTrip, room.SetPassthrough(Teacher.PersonId, Pupil.PersonId, Hall.PersonId).Refusal);
        Assert.Equal(RoomRefusal.NotInRoom, room.SetPassthrough(Teacher.PersonId, Hall.PersonId, Hall.PersonId).Refusal);
        Assert.Equal(RoomRefusal.NotInRoom, room.SetPassthrough(Teacher.PersonId, Hall.PersonId, "nobody").Refusal);
    }

    [Fact]
    public void RemovingTheHallGivesTheProductionSiteItsMixBack()
    {
        var room = OpenRoom();
        ConnectJackTrip(room, Teacher, 1, 2);
        ConnectJackTrip(room, Hall, 2, 8);
        ConnectJackTrip(room, Studio, 3, 8);
        room.SetPassthrough(Teacher.PersonId, Studio.PersonId, Hall.PersonId);

        var removed = room.Remove(Teacher.PersonId, Hall.PersonId);

        Assert.Contains(new SetPassthrough(3, null), removed.Media);
        Assert.Null(Entry(room, Studio.PersonId).PassthroughFrom);
    }

    private sealed class SetChannelMixComparer : IEqualityComparer<SetChannelMix>
    {
        public bool Equals(SetChannelMix? x, SetChannelMix? y) =>
            x is not null && y is not null && x.ParticipantId == y.ParticipantId && x.Channel == y.Channel
            && MathF.Abs(x.Pan - y.Pan) < 1e-4f && MathF.Abs(x.Gain - y.Gain) < 1e-4f;

        public int GetHashCode(SetChannelMix obj) => HashCode.Combine(obj.ParticipantId, obj.Channel);
    }
}
