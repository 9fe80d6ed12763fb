using System.Threading.Channels;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// The mix thread's command table applied to its state directly, without the thread, sockets or timing: what each
/// command changes, and the code it answers when it cannot be applied.
/// </summary>
public sealed class MixCommandsTests : IDisposable
{
    private readonly MixInbox _inbox = new(16);
    private readonly MixOutbox _outbox = new(new EventOutbox(Channel.CreateUnbounded<MediaEvent>().Writer), new object(), () => 0);
    private readonly Admissions _admissions = new(8);
    private readonly MixState _state;
    private int _nextId;

    public MixCommandsTests()
    {
        _state = new MixState(LoopbackOptions with { PortableReceive = true }, TimeProvider.System, _inbox, _outbox, _admissions);
    }

    public void Dispose()
    {
        _state.Dispose();
        _outbox.Dispose();
    }

    [Fact]
    public void EveryCommandThatCannotBeAppliedAnswersWithItsCodeAndChangesNothing()
    {
        var a = Joined("band");
        var b = Joined("band");
        var elsewhere = Joined("choir");
        var tap = new SilentTap();
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new AttachTap("band", tap)));

        var cases = new (MediaCommand Command, CommandRefusal Expected)[]
        {
            (new OpenRoom(""), CommandRefusal.RoomIdMissing),
            (new CloseRoom("nowhere"), CommandRefusal.RoomNotOpen),
            (new AdmitParticipant("", "pupil"), CommandRefusal.RoomIdMissing),
            (new AdmitParticipant("band", new string('å', 32)), CommandRefusal.ClientNameTooLong), // 64 UTF-8 bytes
            (new AdmitParticipant("band", "pupil", 17), CommandRefusal.ChannelsOutOfRange),
            (new AdmitParticipant("band", "pupil", 0), CommandRefusal.ChannelsOutOfRange),
            (new RevokeAdmission("never-admitted"), CommandRefusal.NotAdmittedByCommand),
            (new RemoveParticipant(999), CommandRefusal.NoSuchParticipant),
            (new SetMute(999, true), CommandRefusal.NoSuchParticipant),
            (new SetSelfMonitor(999, true), CommandRefusal.NoSuchParticipant),
            (new SetClick(999, 1f, 0), CommandRefusal.NoSuchParticipant),
            (new SetGain(a.ParticipantId, 999, 1f), CommandRefusal.NotInSameRoom),
            (new SetGain(a.ParticipantId, elsewhere.ParticipantId, 1f), CommandRefusal.NotInSameRoom),
            (new SetGain(a.ParticipantId, b.ParticipantId, float.NaN), CommandRefusal.GainOutOfRange),
            (new SetGain(a.ParticipantId, b.ParticipantId, -1f), CommandRefusal.GainOutOfRange),
            (new SetClick(a.ParticipantId, float.PositiveInfinity, 0), CommandRefusal.GainOutOfRange),
            (new SetClick(a.ParticipantId, 1f, double.NaN), CommandRefusal.GainOutOfRange),
            (new SetChannelMix(999, 0, 0f, 1f), CommandRefusal.NoSuchParticipant),
            (new SetChannelMix(a.ParticipantId, 2, 0f, 1f), CommandRefusal.NoSuchChannel),
            (new SetChannelMix(a.ParticipantId, -1, 0f, 1f), CommandRefusal.NoSuchChannel),
            (new SetChannelMix(a.ParticipantId, 1, 1.5f, 1f), CommandRefusal.PanOutOfRange),
            (new SetChannelMix(a.ParticipantId, 1, float.NaN, 1f), CommandRefusal.PanOutOfRange),
            (new SetChannelMix(a.ParticipantId, 1, 0f, -1f), CommandRefusal.GainOutOfRange),
            (new SetPassthrough(999, b.ParticipantId), CommandRefusal.NoSuchParticipant),
            (new SetPassthrough(a.ParticipantId, elsewhere.ParticipantId), CommandRefusal.NotInSameRoom),
            (new SetPassthrough(a.ParticipantId, a.ParticipantId), CommandRefusal.NotInSameRoom),
            (new SetPassthrough(a.ParticipantId, b.ParticipantId), CommandRefusal.PassthroughNotSupported), // a browser
            (new SetMasterGain("nowhere", 1f), CommandRefusal.RoomNotOpen),
            (new SetMasterGain("band", -0.5f), CommandRefusal.GainOutOfRange),
            (new SetClickTrack("nowhere", null), CommandRefusal.RoomNotOpen),
            (new AttachTap("nowhere", tap), CommandRefusal.RoomNotOpen),
            (new AttachTap("band", tap), CommandRefusal.TapAlreadyAttached),
            (new DetachTap("band", new SilentTap()), CommandRefusal.TapNotAttached),
            (new DetachTap("nowhere", tap), CommandRefusal.RoomNotOpen),
            (new NotACommandTheEngineKnows(), CommandRefusal.UnknownCommand),
        };

        var answers = cases.Select(c => (c.Command, Refusal: MixCommands.Apply(_state, c.Command))).ToList();

        Assert.Equal(cases.Select(c => (c.Command, Refusal: c.Expected)), answers);
        Assert.True(_state.Rooms.TryGet("band", out var band));
        Assert.Equal(1f, band.MasterGain);
        Assert.Equal(1f, band.GetGain(a.ParticipantId, b.ParticipantId));
        Assert.Equal(0f, a.Participant!.ClickGain);
        Assert.Equal((1f, 1f), (a.Participant.ChannelPan(1), a.Participant.ChannelGain(1)));
        Assert.False(_admissions.TryGetPosted("pupil", out _));
        Assert.Equal(3, _state.Sessions.Count);
    }

    [Fact]
    public void CommandsThatCanBeAppliedChangeTheRoomTheParticipantOrTheAdmissions()
    {
        var a = Joined("band");
        var b = Joined("band");

        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetGain(a.ParticipantId, b.ParticipantId, 0.5f)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetMute(b.ParticipantId, true)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetSelfMonitor(a.ParticipantId, true)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetClick(a.ParticipantId, 0.8f, 900)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetMasterGain("band", 0.25f)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetChannelMix(b.ParticipantId, 1, -0.5f, 0.7f)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new AdmitParticipant("band", "hall", 16)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new AdmitParticipant("band", "pupil", 1)));

        Assert.True(_state.Rooms.TryGet("band", out var band));
        Assert.Equal(0.5f, band.GetGain(a.ParticipantId, b.ParticipantId));
        Assert.True(b.Participant!.Muted);
        Assert.True(a.Participant!.SelfMonitor);
        Assert.Equal(0.8f, a.Participant.ClickGain);
        Assert.Equal(500, a.Participant.ClickLeadMs); // the lead is capped
        Assert.Equal(0.25f, band.MasterGain);
        Assert.Equal((-0.5f, 0.7f), (b.Participant.ChannelPan(1), b.Participant.ChannelGain(1)));
        Assert.True(_admissions.TryGetPosted("hall", out var hall));
        Assert.Equal(16, hall.Channels);
        Assert.True(_admissions.TryGetPosted("pupil", out var admitted));
        Assert.Equal(("band", 1), (admitted.RoomId, admitted.Channels));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new RevokeAdmission("pupil")));
        Assert.False(_admissions.TryGetPosted("pupil", out _));
    }

    [Fact]
    public void RemovingAndClosingMakeTheParticipantsLeaveAndTellTheirTransports()
    {
        var removed = Joined("band");
        var stays = Joined("band");
        var closedOut = Joined("choir");

        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new RemoveParticipant(removed.ParticipantId)));
        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new CloseRoom("choir")));

        Assert.True(removed.External.HasLeft);
        Assert.True(closedOut.External.HasLeft);
        Assert.False(stays.External.HasLeft);
        Assert.Equal([stays], _state.Sessions);
        Assert.False(_state.Rooms.TryGet("choir", out _));
        Assert.Equal(CommandRefusal.RoomNotOpen, MixCommands.Apply(_state, new CloseRoom("choir")));
    }

    [Fact]
    public void ACommandFindsAParticipantWhoseAttachmentIsStillInTheInbox()
    {
        var waiting = Attachment("band");
        _inbox.Attach(waiting);

        Assert.Equal(CommandRefusal.None, MixCommands.Apply(_state, new SetMute(waiting.ParticipantId, true)));

        Assert.Equal([waiting], _state.Sessions);
        Assert.True(waiting.Participant!.Muted);
    }

    private ExternalSession Joined(string roomId)
    {
        _inbox.Attach(Attachment(roomId));
        _state.AttachPending();
        var session = (ExternalSession)_state.Sessions[^1];
        Assert.True(session.Joined);
        return session;
    }

    private ExternalSession Attachment(string roomId)
    {
        var id = ++_nextId;
        var level = new InputLevelMeter(InputLevelMeter.WindowPeriodsFor(128, 48000));
        var external = new ExternalParticipant(id, 2, 128, 48000, TimeProvider.System, level, _inbox.Detach);
        return new ExternalSession(external, $"p{id}", roomId, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), 0);
    }

    private sealed record NotACommandTheEngineKnows : MediaCommand;

    private sealed class SilentTap : IRoomTap
    {
        public void OnPeriod(MixingRoom room, double periodEpochMs)
        {
        }

        public void OnDetached()
        {
        }
    }
}
