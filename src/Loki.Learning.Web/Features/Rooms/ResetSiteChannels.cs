using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

/// The host puts every channel of a multichannel site back to the even spread from left to right.
public sealed record ResetSiteChannels(Actor Actor, Guid RoomId, string PersonId) : ICommand;

public sealed class ResetSiteChannelsHandler(IGrainFactory grains) : ICommandHandler<ResetSiteChannels>
{
    public async ValueTask<Unit> Handle(ResetSiteChannels command, CancellationToken cancellationToken)
    {
        RoomAnswer.ThrowIfRefused(await grains.GetGrain<IRoomGrain>(command.RoomId).ResetChannelMixAsync(command.Actor.PersonId, command.PersonId), nameof(command.PersonId));
        return Unit.Value;
    }
}
