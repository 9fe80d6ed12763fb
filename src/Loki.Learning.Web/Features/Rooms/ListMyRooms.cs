using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

public sealed record RoomSummary(Guid RoomId, string Title, string OwnerTitle, RoomKind Kind, DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, bool Open);

/// The rooms of everything on the caller's schedule from a day ago on, with whether each is open now.
public sealed record ListMyRooms(Actor Actor) : IQuery<IReadOnlyList<RoomSummary>>;

public sealed class ListMyRoomsHandler(IMediator mediator, IGrainFactory grains, TimeProvider clock) : IQueryHandler<ListMyRooms, IReadOnlyList<RoomSummary>>
{
    public async ValueTask<IReadOnlyList<RoomSummary>> Handle(ListMyRooms query, CancellationToken cancellationToken)
    {
        var items = await mediator.Send(new GetMySchedule(query.Actor.PersonId, clock.GetUtcNow().UtcDateTime.AddDays(-1)), cancellationToken);
        var views = await Task.WhenAll(items.Select(i => grains.GetGrain<IRoomGrain>(i.RoomId).GetViewAsync()));
        return items.Select((item, index) => new RoomSummary(
            item.RoomId, item.Title, item.OwnerTitle, KindOf(item.Kind), item.StartsUtc, item.EndsUtc, item.TimeZoneId, views[index].Open)).ToList();
    }

    private static RoomKind KindOf(ScheduleItemKind kind) => kind switch
    {
        ScheduleItemKind.ClassSession => RoomKind.ClassSession,
        ScheduleItemKind.Rehearsal => RoomKind.Rehearsal,
        _ => RoomKind.Workshop,
    };
}

internal static class RoomLookup
{
    /// The room and the actor's role in it; refuses strangers without saying whether the room exists.
    public static async Task<(RoomDescription Room, RoomRole Role)> MemberOfRoomAsync(
        this IDbContextFactory<LokiDbContext> dbFactory, Guid roomId, Actor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var room = await db.FindRoomAsync(roomId, cancellationToken) ?? throw Refusal.NotFound("Refusal.RoomNotFound");
        var role = await db.RoleInRoomAsync(room, actor, cancellationToken) ?? throw Refusal.NotFound("Refusal.RoomNotFound");
        return (room, role);
    }
}
