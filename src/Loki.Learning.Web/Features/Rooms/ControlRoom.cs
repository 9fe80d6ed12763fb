using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

public enum RoomControl
{
    Mute,
    Unmute,
    SetGain,
    Remove,
    Lock,
    Unlock,
    RaiseHand,
    LowerHand,
    Leave,
    /// My own volume for <c>PersonId</c> in what I hear.
    SetMyGain,
    SelfMonitorOn,
    SelfMonitorOff,
    /// The room's click rendered into my mix by the server (for JackTrip).
    ServerClickOn,
    ServerClickOff,
    /// A workshop's host gives a listener a performer's channel, or takes it back.
    BringOnStage,
    SendBackToAudience,
}

/// One action in a room: the host's controls over participants, or a participant's own hand and leaving.
/// <param name="PersonId">The participant acted on (ignored for lock/unlock and for one's own hand).</param>
public sealed record ControlRoom(Actor Actor, Guid RoomId, RoomControl Control, string? PersonId = null, float Gain = 1f) : ICommand;

public sealed class ControlRoomHandler(IGrainFactory grains) : ICommandHandler<ControlRoom>
{
    public async ValueTask<Unit> Handle(ControlRoom command, CancellationToken cancellationToken)
    {
        var room = grains.GetGrain<IRoomGrain>(command.RoomId);
        var me = command.Actor.PersonId;
        var target = command.PersonId ?? "";
        string? refusal = command.Control switch
        {
            RoomControl.Mute => await room.MuteAsync(me, target, true),
            RoomControl.Unmute => await room.MuteAsync(me, target, false),
            RoomControl.SetGain => await room.SetGainAsync(me, target, command.Gain),
            RoomControl.Remove => await room.RemoveAsync(me, target),
            RoomControl.Lock => await room.LockAsync(me, true),
            RoomControl.Unlock => await room.LockAsync(me, false),
            RoomControl.RaiseHand => await room.RaiseHandAsync(me, true),
            RoomControl.LowerHand => await room.RaiseHandAsync(me, false),
            RoomControl.SetMyGain => await room.SetMyGainAsync(me, target, command.Gain),
            RoomControl.SelfMonitorOn => await room.SetSelfMonitorAsync(me, true),
            RoomControl.SelfMonitorOff => await room.SetSelfMonitorAsync(me, false),
            RoomControl.ServerClickOn => await room.SetServerClickAsync(me, true),
            RoomControl.ServerClickOff => await room.SetServerClickAsync(me, false),
            RoomControl.BringOnStage => await room.SetStageAsync(me, target, true),
            RoomControl.SendBackToAudience => await room.SetStageAsync(me, target, false),
            _ => await LeaveAsync(room, me),
        };
        RoomAnswer.ThrowIfRefused(refusal, nameof(command.Gain));
        return Unit.Value;
    }

    private static async Task<string?> LeaveAsync(IRoomGrain room, string personId)
    {
        await room.LeaveAsync(personId);
        return null;
    }
}
