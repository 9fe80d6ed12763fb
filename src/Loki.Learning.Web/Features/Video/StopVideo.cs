using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Loki.Learning.Web.Data;

namespace Loki.Learning.Web.Features.Video;

/// The host ends someone's camera or shared screen: it disappears for everyone at once. (They may turn it on again;
/// removing them from the room ends it for good, see <see cref="VideoRooms"/>.)
public sealed record StopVideo(Actor Actor, Guid RoomId, string PersonId, VideoKind Kind) : ICommand;

public sealed class StopVideoHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, VideoRooms rooms) : ICommandHandler<StopVideo>
{
    public async ValueTask<Unit> Handle(StopVideo command, CancellationToken cancellationToken)
    {
        var (_, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden();
        }
        try
        {
            await rooms.KickAsync(command.RoomId, command.PersonId, command.Kind, cancellationToken);
        }
        catch (JanusException)
        {
            throw Refusal.Conflict("Video.NotAvailable");
        }
        return Unit.Value;
    }
}
