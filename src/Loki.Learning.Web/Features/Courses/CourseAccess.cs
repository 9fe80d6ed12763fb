using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

internal static class CourseAccess
{
    public static async Task<bool> TeachesAsync(this LokiDbContext db, Guid courseId, Actor actor, CancellationToken cancellationToken) =>
        actor.IsAdmin || await db.CourseTeachers.AnyAsync(t => t.CourseId == courseId && t.PersonId == actor.PersonId, cancellationToken);

    /// Refuses unless the course exists and the actor teaches it (or is an admin).
    public static async Task EnsureTeachesAsync(this LokiDbContext db, Guid courseId, Actor actor, CancellationToken cancellationToken)
    {
        if (!await db.Courses.AnyAsync(c => c.Id == courseId, cancellationToken))
        {
            throw Refusal.NotFound("Refusal.CourseNotFound");
        }
        if (!await db.TeachesAsync(courseId, actor, cancellationToken))
        {
            throw Refusal.Forbidden("Refusal.NotCourseTeacher");
        }
    }
}
