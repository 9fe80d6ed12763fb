using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

/// Courses as owners of meetings: teachers lead, enrolled students are members.
public sealed class CourseOwners : IMeetingOwnerKind
{
    public OwnerKind Kind => OwnerKind.Course;

    public Task<MeetingOwner?> FindAsync(LokiDbContext db, Guid ownerId, CancellationToken cancellationToken) =>
        db.Courses.Where(c => c.Id == ownerId)
            .Select(c => new MeetingOwner(OwnerKind.Course, c.Id, c.Title, c.TimeZoneId))
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<OwnerRole?> MembershipAsync(LokiDbContext db, Guid ownerId, string personId, CancellationToken cancellationToken)
    {
        if (await db.CourseTeachers.AnyAsync(t => t.CourseId == ownerId && t.PersonId == personId, cancellationToken))
        {
            return OwnerRole.Leader;
        }
        return await db.CourseEnrolments.AnyAsync(e => e.CourseId == ownerId && e.PersonId == personId, cancellationToken) ? OwnerRole.Member : null;
    }

    public IQueryable<Guid> OwnersOf(LokiDbContext db, string personId) =>
        db.Courses.Where(c => c.Teachers.Any(t => t.PersonId == personId) || c.Enrolments.Any(e => e.PersonId == personId)).Select(c => c.Id);

    public IQueryable<OwnerRow> Owners(LokiDbContext db) =>
        db.Courses.Select(c => new OwnerRow { Id = c.Id, Title = c.Title, PublicCalendar = c.PublicCalendar });
}
