using System.Collections.Frozen;
using System.Text;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// How each <see cref="MediaCommand"/> changes the <see cref="MixState"/>: one small handler per command type, found
/// in a table. A handler checks its command, applies it, and answers <see cref="CommandRefusal.None"/> or why not.
/// Mix thread, at the start of a period; commands are rare, so a handler may allocate.
/// </summary>
internal static class MixCommands
{
    private static readonly FrozenDictionary<Type, Func<MixState, MediaCommand, CommandRefusal>> Handlers =
        new Dictionary<Type, Func<MixState, MediaCommand, CommandRefusal>>
        {
            [typeof(OpenRoom)] = On<OpenRoom>(Open),
            [typeof(CloseRoom)] = On<CloseRoom>(Close),
            [typeof(AdmitParticipant)] = On<AdmitParticipant>(Admit),
            [typeof(RevokeAdmission)] = On<RevokeAdmission>(Revoke),
            [typeof(RemoveParticipant)] = On<RemoveParticipant>(Remove),
            [typeof(SetGain)] = On<SetGain>(SetGain),
            [typeof(SetMute)] = On<SetMute>(SetMute),
            [typeof(SetSelfMonitor)] = On<SetSelfMonitor>(SetSelfMonitor),
            [typeof(SetChannelMix)] = On<SetChannelMix>(SetChannelMix),
            [typeof(SetPassthrough)] = On<SetPassthrough>(SetPassthrough),
            [typeof(SetMasterGain)] = On<SetMasterGain>(SetMasterGain),
            [typeof(SetClickTrack)] = On<SetClickTrack>(SetClickTrack),
            [typeof(SetClick)] = On<SetClick>(SetClick),
            [typeof(AttachTap)] = On<AttachTap>(AttachTap),
            [typeof(DetachTap)] = On<DetachTap>(DetachTap),
            [typeof(SetJitterPolicy)] = On<SetJitterPolicy>(RoomJitterPolicies.Apply),
        }.ToFrozenDictionary();

    /// <summary>Applies <paramref name="command"/> to <paramref name="state"/>.</summary>
    /// <returns>Why it was not applied, or <see cref="CommandRefusal.None"/>.</returns>
    public static CommandRefusal Apply(MixState state, MediaCommand command) =>
        Handlers.TryGetValue(command.GetType(), out var handler) ? handler(state, command) : CommandRefusal.UnknownCommand;

    private static Func<MixState, MediaCommand, CommandRefusal> On<TCommand>(Func<MixState, TCommand, CommandRefusal> handler)
        where TCommand : MediaCommand =>
        (state, command) => handler(state, (TCommand)command);

    /// <summary>The one rule for every gain and level a command sets: a finite number of 0 or more.</summary>
    private static bool IsGain(float gain) => float.IsFinite(gain) && gain >= 0f;

    private static CommandRefusal Open(MixState state, OpenRoom command)
    {
        if (string.IsNullOrEmpty(command.RoomId))
        {
            return CommandRefusal.RoomIdMissing;
        }
        state.Rooms.Open(command.RoomId);
        return CommandRefusal.None;
    }

    private static CommandRefusal Close(MixState state, CloseRoom command)
    {
        if (!state.Rooms.TryGet(command.RoomId, out var room))
        {
            return CommandRefusal.RoomNotOpen;
        }
        room.RemoveAllTaps();
        var sessions = state.Sessions;
        for (var i = sessions.Count - 1; i >= 0; i--)
        {
            if (sessions[i].RoomId == command.RoomId)
            {
                state.Leave(sessions[i], LeaveReason.RoomClosed, sendExit: true);
            }
        }
        state.Rooms.Remove(room);
        state.Report(new RoomClosed(state.Time.GetUtcNow(), command.RoomId));
        return CommandRefusal.None;
    }

    private static CommandRefusal Admit(MixState state, AdmitParticipant command)
    {
        if (string.IsNullOrEmpty(command.RoomId))
        {
            return CommandRefusal.RoomIdMissing;
        }
        if (Encoding.UTF8.GetByteCount(command.ClientName) > JackTripHandshake.MaxNameBytes)
        {
            return CommandRefusal.ClientNameTooLong;
        }
        if (command.Channels is < 1 or > MixParticipant.MaxInputChannels)
        {
            return CommandRefusal.ChannelsOutOfRange;
        }
        state.Admissions.Post(command.ClientName, AdmissionDecision.Admit(command.RoomId, command.Channels));
        return CommandRefusal.None;
    }

    private static CommandRefusal Revoke(MixState state, RevokeAdmission command) =>
        state.Admissions.Revoke(command.ClientName) ? CommandRefusal.None : CommandRefusal.NotAdmittedByCommand;

    private static CommandRefusal Remove(MixState state, RemoveParticipant command) =>
        ForParticipant(state, command.ParticipantId, session => state.Leave(session, LeaveReason.Removed, sendExit: true));

    private static CommandRefusal SetGain(MixState state, SetGain command)
    {
        var listener = state.FindCommanded(command.ListenerId);
        var source = state.FindCommanded(command.SourceId);
        if (listener?.Room is null || source?.Room is null || listener.Room != source.Room)
        {
            return CommandRefusal.NotInSameRoom;
        }
        if (!IsGain(command.Gain))
        {
            return CommandRefusal.GainOutOfRange;
        }
        return listener.Room.SetGain(command.ListenerId, command.SourceId, command.Gain) ? CommandRefusal.None : CommandRefusal.NotInSameRoom;
    }

    private static CommandRefusal SetMute(MixState state, SetMute command) =>
        ForParticipant(state, command.ParticipantId, session => session.Muted = command.Muted);

    private static CommandRefusal SetSelfMonitor(MixState state, SetSelfMonitor command) =>
        ForParticipant(state, command.ParticipantId, session => session.SelfMonitor = command.Enabled);

    private static CommandRefusal SetChannelMix(MixState state, SetChannelMix command)
    {
        if (state.FindCommanded(command.ParticipantId)?.Participant is not { } source)
        {
            return CommandRefusal.NoSuchParticipant;
        }
        if ((uint)command.Channel >= (uint)source.InputChannels)
        {
            return CommandRefusal.NoSuchChannel;
        }
        if (!IsGain(command.Gain))
        {
            return CommandRefusal.GainOutOfRange;
        }
        return source.SetChannelMix(command.Channel, command.Pan, command.Gain) ? CommandRefusal.None : CommandRefusal.PanOutOfRange;
    }

    private static CommandRefusal SetPassthrough(MixState state, SetPassthrough command)
    {
        if (state.FindCommanded(command.ListenerId) is not { Participant: not null } listener)
        {
            return CommandRefusal.NoSuchParticipant;
        }
        if (command.SourceId is { } sourceId)
        {
            var source = state.FindCommanded(sourceId);
            if (source?.Room is null || source.Room != listener.Room || sourceId == command.ListenerId)
            {
                return CommandRefusal.NotInSameRoom;
            }
        }
        return listener.SetPassthrough(command.SourceId, state.Options.PeriodFrames);
    }

    /// <summary>Applies <paramref name="change"/> to the participant <paramref name="participantId"/>, if there is one.</summary>
    private static CommandRefusal ForParticipant(MixState state, int participantId, Action<ParticipantSession> change)
    {
        if (state.FindCommanded(participantId) is not { } session)
        {
            return CommandRefusal.NoSuchParticipant;
        }
        change(session);
        return CommandRefusal.None;
    }

    private static CommandRefusal SetMasterGain(MixState state, SetMasterGain command) =>
        ForRoom(state, command.RoomId, room =>
        {
            if (!IsGain(command.Gain))
            {
                return CommandRefusal.GainOutOfRange;
            }
            room.MasterGain = command.Gain;
            return CommandRefusal.None;
        });

    private static CommandRefusal SetClickTrack(MixState state, SetClickTrack command) =>
        ForRoom(state, command.RoomId, room =>
        {
            room.Click = command.Track;
            return CommandRefusal.None;
        });

    private static CommandRefusal SetClick(MixState state, SetClick command)
    {
        if (state.FindCommanded(command.ParticipantId)?.Participant is not { } listening)
        {
            return CommandRefusal.NoSuchParticipant;
        }
        if (!IsGain(command.Gain) || !double.IsFinite(command.LeadMs))
        {
            return CommandRefusal.GainOutOfRange;
        }
        listening.ClickGain = command.Gain;
        listening.ClickLeadMs = Math.Clamp(command.LeadMs, 0, 500);
        return CommandRefusal.None;
    }

    private static CommandRefusal AttachTap(MixState state, AttachTap command) =>
        ForRoom(state, command.RoomId, room => room.AddTap(command.Tap) ? CommandRefusal.None : CommandRefusal.TapAlreadyAttached);

    private static CommandRefusal DetachTap(MixState state, DetachTap command) =>
        ForRoom(state, command.RoomId, room => room.RemoveTap(command.Tap) ? CommandRefusal.None : CommandRefusal.TapNotAttached);

    /// <summary>Applies <paramref name="change"/> to the open room <paramref name="roomId"/>, if it is open.</summary>
    private static CommandRefusal ForRoom(MixState state, string roomId, Func<MixingRoom, CommandRefusal> change) =>
        state.Rooms.TryGet(roomId, out var room) ? change(room) : CommandRefusal.RoomNotOpen;
}
