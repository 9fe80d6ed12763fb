using Loki.Learning.Media.Jitter;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

/// The host chooses what the room's browser audio does on a bad link: <see cref="JitterPolicy.Tight"/> (keep the
/// delay, conceal late audio) or <see cref="JitterPolicy.Safe"/> (grow the buffer, play everything).
public sealed record SetRoomLinkPolicy(Actor Actor, Guid RoomId, JitterPolicy Policy) : ICommand;

public sealed class SetRoomLinkPolicyHandler(IGrainFactory grains) : ICommandHandler<SetRoomLinkPolicy>
{
    public async ValueTask<Unit> Handle(SetRoomLinkPolicy command, CancellationToken cancellationToken)
    {
        var refusal = await grains.GetGrain<IRoomGrain>(command.RoomId).SetLinkPolicyAsync(command.Actor.PersonId, command.Policy);
        RoomAnswer.ThrowIfRefused(refusal, nameof(command.Policy));
        return Unit.Value;
    }
}
