using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Calendar;

/// One entry in a person's schedule: a meeting. <see cref="OwnerId"/> is the course, ensemble or workshop.
public sealed record ScheduleItem(Guid Id, OwnerKind Kind, string Title, string OwnerTitle, Guid OwnerId, DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, Guid RoomId);

/// Everything on a person's calendar from <paramref name="FromUtc"/> on, in start order: the meetings of every owner
/// they belong to in any role (teachers and students, ensemble members, organizers and everyone holding a place).
public sealed record GetMySchedule(string PersonId, DateTime FromUtc) : IQuery<IReadOnlyList<ScheduleItem>>;

public sealed class GetMyScheduleHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : IQueryHandler<GetMySchedule, IReadOnlyList<ScheduleItem>>
{
    public async ValueTask<IReadOnlyList<ScheduleItem>> Handle(GetMySchedule query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var items = new List<ScheduleItem>();
        foreach (var kind in owners.Kinds)
        {
            var mine = kind.OwnersOf(db, query.PersonId);
            items.AddRange(await ScheduleItems.Of(db, kind, kind.Owners(db).Where(o => mine.Contains(o.Id)), query.FromUtc).ToListAsync(cancellationToken));
        }
        return items.OrderBy(i => i.StartsUtc).ToList();
    }
}

internal static class ScheduleItems
{
    /// The meetings of these owners that end after <paramref name="fromUtc"/>, as schedule items, in start order.
    public static IQueryable<ScheduleItem> Of(LokiDbContext db, IMeetingOwnerKind kind, IQueryable<OwnerRow> ownerRows, DateTime fromUtc) =>
        db.Meetings
            .Where(m => m.OwnerKind == kind.Kind && m.EndsUtc > fromUtc)
            .Join(ownerRows, m => m.OwnerId, o => o.Id, (m, o) => new { m, o.Title })
            .OrderBy(x => x.m.StartsUtc)
            .Select(x => new ScheduleItem(x.m.Id, x.m.OwnerKind, x.m.Title, x.Title, x.m.OwnerId, x.m.StartsUtc, x.m.EndsUtc, x.m.TimeZoneId, x.m.RoomId));
}
