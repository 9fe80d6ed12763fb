using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

public enum CourseRelation
{
    Teaching,
    Enrolled,
    /// Not a member, but the course takes self-enrolment with a key.
    Open,
}

public sealed record CourseSummary(Guid Id, string Title, string Description, CourseRelation Relation, int Enrolled, int Capacity, DateTime? NextSessionUtc, string TimeZoneId);

/// The courses a person teaches or attends, and those open for self-enrolment.
public sealed record ListCourses(Actor Actor) : IQuery<IReadOnlyList<CourseSummary>>;

public sealed class ListCoursesHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<ListCourses, IReadOnlyList<CourseSummary>>
{
    public async ValueTask<IReadOnlyList<CourseSummary>> Handle(ListCourses query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var me = query.Actor.PersonId;
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Courses
            .Select(c => new
            {
                c.Id,
                c.Title,
                c.Description,
                c.Capacity,
                c.TimeZoneId,
                Teaching = c.Teachers.Any(t => t.PersonId == me),
                Enrolled = c.Enrolments.Any(e => e.PersonId == me),
                Open = c.EnrolmentKey != null,
                Count = c.Enrolments.Count,
                Next = db.Meetings.Where(s => s.OwnerId == c.Id && s.EndsUtc > now).OrderBy(s => s.StartsUtc).Select(s => (DateTime?)s.StartsUtc).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);

        return rows
            .Where(r => r.Teaching || r.Enrolled || r.Open || query.Actor.IsAdmin)
            .Select(r => new CourseSummary(
                r.Id, r.Title, r.Description,
                r.Teaching || (query.Actor.IsAdmin && !r.Enrolled) ? CourseRelation.Teaching : r.Enrolled ? CourseRelation.Enrolled : CourseRelation.Open,
                r.Count, r.Capacity, r.Next, r.TimeZoneId))
            .OrderBy(r => r.Relation)
            .ThenBy(r => r.Title, StringComparer.CurrentCulture)
            .ToList();
    }
}
