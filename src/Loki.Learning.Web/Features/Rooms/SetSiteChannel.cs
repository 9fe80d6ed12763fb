using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

/// The host places input <paramref name="Channel"/> (0-based) of a multichannel site in the stereo fold-down everyone
/// hears: <paramref name="Pan"/> from −1 (left) to +1 (right), linear <paramref name="Gain"/> 0–4.
public sealed record SetSiteChannel(Actor Actor, Guid RoomId, string PersonId, int Channel, float Pan, float Gain) : ICommand;

public sealed class SetSiteChannelHandler(IGrainFactory grains) : ICommandHandler<SetSiteChannel>
{
    public async ValueTask<Unit> Handle(SetSiteChannel command, CancellationToken cancellationToken)
    {
        var refusal = await grains.GetGrain<IRoomGrain>(command.RoomId)
            .SetChannelMixAsync(command.Actor.PersonId, command.PersonId, command.Channel, command.Pan, command.Gain);
        RoomAnswer.ThrowIfRefused(refusal, refusal == "Validation.Pan" ? nameof(command.Pan) : refusal == "Validation.Channel" ? nameof(command.Channel) : nameof(command.Gain));
        return Unit.Value;
    }
}
