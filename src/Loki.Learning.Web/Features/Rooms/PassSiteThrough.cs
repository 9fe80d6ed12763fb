using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

/// The host sends <paramref name="SourceId"/>'s channels unmixed to the JackTrip participant <paramref name="ListenerId"/>
/// (a production site, or the host's own studio) instead of its mix; a null source gives it its mix back.
public sealed record PassSiteThrough(Actor Actor, Guid RoomId, string ListenerId, string? SourceId) : ICommand;

public sealed class PassSiteThroughHandler(IGrainFactory grains) : ICommandHandler<PassSiteThrough>
{
    public async ValueTask<Unit> Handle(PassSiteThrough command, CancellationToken cancellationToken)
    {
        RoomAnswer.ThrowIfRefused(
            await grains.GetGrain<IRoomGrain>(command.RoomId).SetPassthroughAsync(command.Actor.PersonId, command.ListenerId, command.SourceId), nameof(command.ListenerId));
        return Unit.Value;
    }
}
