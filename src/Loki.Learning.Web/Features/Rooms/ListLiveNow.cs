using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

/// <param name="IsHost">The reader hosts it: one click opens the room and enters it.</param>
/// <param name="Running">It has begun and not ended.</param>
public sealed record LiveNowItem(RoomSummary Room, bool IsHost, bool Running);

/// "Live now": the reader's sessions, rehearsals and workshops of today (in each one's own time zone) that have not
/// ended, and the next one after today, each with whether its room is open. Built on the schedule (ListMyRooms).
public sealed record ListLiveNow(Actor Actor) : IQuery<IReadOnlyList<LiveNowItem>>;

public sealed class ListLiveNowHandler(IMediator mediator, IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, TimeProvider clock)
    : IQueryHandler<ListLiveNow, IReadOnlyList<LiveNowItem>>
{
    public async ValueTask<IReadOnlyList<LiveNowItem>> Handle(ListLiveNow query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var rooms = (await mediator.Send(new ListMyRooms(query.Actor), cancellationToken)).Where(r => r.EndsUtc > now).ToList();
        var today = rooms.Where(r => IsToday(r, now)).ToList();
        var next = rooms.Where(r => !IsToday(r, now) && r.StartsUtc > now).OrderBy(r => r.StartsUtc).Take(1);
        var shown = today.Concat(next).ToList();
        // One membership question per owner, not per row: a course's sessions share their lecturer.
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var leads = new Dictionary<Guid, bool>();
        foreach (var owner in shown.Select(r => (r.Kind, r.OwnerId)).Distinct())
        {
            leads[owner.OwnerId] = await owners.RoleAsync(db, owner.Kind, owner.OwnerId, query.Actor, cancellationToken) == OwnerRole.Leader;
        }
        return shown.Select(room => new LiveNowItem(room, leads[room.OwnerId], room.StartsUtc <= now)).ToList();
    }

    private static bool IsToday(RoomSummary room, DateTime nowUtc) =>
        DateOnly.FromDateTime(Schedule.ToLocal(room.StartsUtc, room.TimeZoneId)) == DateOnly.FromDateTime(Schedule.ToLocal(nowUtc, room.TimeZoneId))
        || room.StartsUtc <= nowUtc;
}
