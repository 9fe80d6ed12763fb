using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

public sealed record RoomDetails(RoomDescription Description, RoomRole MyRole, RoomView View);

/// A member's view of a room: what it is, their role, and who is there. Strangers see nothing.
public sealed record GetRoom(Actor Actor, Guid RoomId) : IQuery<RoomDetails>;

public sealed class GetRoomHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : IQueryHandler<GetRoom, RoomDetails>
{
    public async ValueTask<RoomDetails> Handle(GetRoom query, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, query.RoomId, query.Actor, cancellationToken);
        var view = await grains.GetGrain<IRoomGrain>(query.RoomId).GetViewAsync();
        return new RoomDetails(room, role, view);
    }
}
