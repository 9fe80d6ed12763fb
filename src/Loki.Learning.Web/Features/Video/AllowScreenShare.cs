using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Video;

/// The host allows a participant in the room to share their screen, or takes it back: taken back, a share that runs
/// ends at once for everyone, and the relay refuses the next (it asks the room at every screen join and publish).
public sealed record AllowScreenShare(Actor Actor, Guid RoomId, string PersonId, bool Allowed) : ICommand;

public sealed class AllowScreenShareHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, VideoRooms rooms)
    : ICommandHandler<AllowScreenShare>
{
    public async ValueTask<Unit> Handle(AllowScreenShare command, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        if (await grains.GetGrain<IRoomGrain>(room.RoomId).AllowScreenShareAsync(command.Actor.PersonId, command.PersonId, command.Allowed) is { } refusal)
        {
            throw Refusal.Forbidden(refusal);
        }
        if (!command.Allowed)
        {
            try
            {
                // The room's watcher ends it too; here it ends before the host's page hears back.
                await rooms.KickAsync(room.RoomId, command.PersonId, VideoKind.Screen, cancellationToken);
            }
            catch (JanusException)
            {
                throw Refusal.Conflict("Video.NotAvailable");
            }
        }
        return Unit.Value;
    }
}
