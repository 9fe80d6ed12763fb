using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Calendar;

public enum ScheduleItemKind
{
    ClassSession,
    Rehearsal,
    Workshop,
}

/// One entry in a person's schedule. <see cref="OwnerId"/> is the course, ensemble or workshop.
public sealed record ScheduleItem(Guid Id, ScheduleItemKind Kind, string Title, string OwnerTitle, Guid OwnerId, DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, Guid RoomId);

/// Everything on a person's calendar from <paramref name="FromUtc"/> on, in start order.
public sealed record GetMySchedule(string PersonId, DateTime FromUtc) : IQuery<IReadOnlyList<ScheduleItem>>;

public sealed class GetMyScheduleHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<GetMySchedule, IReadOnlyList<ScheduleItem>>
{
    public async ValueTask<IReadOnlyList<ScheduleItem>> Handle(GetMySchedule query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var me = query.PersonId;
        var from = query.FromUtc;

        var sessions = await db.ClassSessions
            .Where(s => s.EndsUtc > from
                && (s.Course!.Teachers.Any(t => t.PersonId == me) || s.Course.Enrolments.Any(e => e.PersonId == me)))
            .Select(s => new ScheduleItem(s.Id, ScheduleItemKind.ClassSession, s.Title, s.Course!.Title, s.CourseId, s.StartsUtc, s.EndsUtc, s.Course.TimeZoneId, s.RoomId))
            .ToListAsync(cancellationToken);
        var rehearsals = await db.Rehearsals
            .Where(r => r.EndsUtc > from && r.Ensemble!.Members.Any(m => m.PersonId == me))
            .Select(r => new ScheduleItem(r.Id, ScheduleItemKind.Rehearsal, r.Title, r.Ensemble!.Name, r.EnsembleId, r.StartsUtc, r.EndsUtc, r.Ensemble.TimeZoneId, r.RoomId))
            .ToListAsync(cancellationToken);
        // Organizers and everyone holding a place see each session of the workshop.
        var workshops = await db.WorkshopSessions
            .Where(s => s.EndsUtc > from)
            .Join(db.Workshops, s => s.WorkshopId, w => w.Id, (s, w) => new { s, w })
            .Where(x => x.w.OrganizerId == me
                || db.Registrations.Any(r => r.WorkshopId == x.w.Id && r.PersonId == me && r.Status == Workshops.RegistrationStatus.Registered))
            .Select(x => new ScheduleItem(x.s.Id, ScheduleItemKind.Workshop, x.s.Title, x.w.Title, x.w.Id, x.s.StartsUtc, x.s.EndsUtc, x.w.TimeZoneId, x.w.RoomId))
            .ToListAsync(cancellationToken);

        return sessions.Concat(rehearsals).Concat(workshops).OrderBy(i => i.StartsUtc).ToList();
    }
}
