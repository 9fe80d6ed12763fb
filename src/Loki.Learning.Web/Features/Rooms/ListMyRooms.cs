using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

public sealed record RoomSummary(Guid RoomId, string Title, string OwnerTitle, OwnerKind Kind, Guid OwnerId, DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, bool Open);

/// The rooms of everything on the caller's schedule from a day ago on, with whether each is open now.
public sealed record ListMyRooms(Actor Actor) : IQuery<IReadOnlyList<RoomSummary>>;

public sealed class ListMyRoomsHandler(IMediator mediator, IGrainFactory grains, TimeProvider clock) : IQueryHandler<ListMyRooms, IReadOnlyList<RoomSummary>>
{
    public async ValueTask<IReadOnlyList<RoomSummary>> Handle(ListMyRooms query, CancellationToken cancellationToken)
    {
        var items = await mediator.Send(new GetMySchedule(query.Actor.PersonId, clock.GetUtcNow().UtcDateTime.AddDays(-1)), cancellationToken);
        var views = await Task.WhenAll(items.Select(i => grains.GetGrain<IRoomGrain>(i.RoomId).GetViewAsync()));
        return items.Select((item, index) => new RoomSummary(
            item.RoomId, item.Title, item.OwnerTitle, item.Kind, item.OwnerId, item.StartsUtc, item.EndsUtc, item.TimeZoneId, views[index].Open)).ToList();
    }

}

internal static class RoomLookup
{
    /// The room and the actor's role in it; refuses strangers without saying whether the room exists.
    public static async Task<(RoomDescription Room, RoomRole Role)> MemberOfRoomAsync(
        this IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, Guid roomId, Actor actor, CancellationToken cancellationToken)
    {
        var (room, role, _) = await dbFactory.EnterRoomAsync(owners, roomId, actor, cancellationToken);
        return (room, role);
    }

    /// As <see cref="MemberOfRoomAsync"/>, and whether only being an admin lets the actor in.
    public static async Task<(RoomDescription Room, RoomRole Role, bool AdminVisit)> EnterRoomAsync(
        this IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, Guid roomId, Actor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var room = await db.FindRoomAsync(owners, roomId, cancellationToken) ?? throw Refusal.NotFound("Refusal.RoomNotFound");
        var (role, visit) = await db.RoleInRoomAsync(owners, room, actor, cancellationToken);
        return role is { } found ? (room, found, visit) : throw Refusal.NotFound("Refusal.RoomNotFound");
    }
}
