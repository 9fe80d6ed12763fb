using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Materials;

/// Who may read a course's materials (its teachers and enrolled students) and who may add and remove them (its
/// teachers): the owners' one policy (<see cref="MeetingOwners"/>), read from the database on every request, so a
/// student who leaves the course loses its files at once.
internal static class MaterialAccess
{
    /// The actor's role in a course they may read; refuses anything that is not a course, and strangers.
    public static async Task<OwnerRole> CourseRoleAsync(this LokiDbContext db, MeetingOwners owners, Guid courseId, Actor actor, CancellationToken cancellationToken)
    {
        var access = await owners.AccessAsync(db, courseId, actor, cancellationToken);
        if (access is null || access.Owner.Kind != OwnerKind.Course)
        {
            throw Refusal.NotFound("Refusal.CourseNotFound");
        }
        return access is { MayView: true, Role: { } role } ? role : throw Refusal.Forbidden("Refusal.NotCourseMember");
    }

    public static async Task EnsureCourseTeacherAsync(this LokiDbContext db, MeetingOwners owners, Guid courseId, Actor actor, CancellationToken cancellationToken)
    {
        if (await db.CourseRoleAsync(owners, courseId, actor, cancellationToken) != OwnerRole.Leader)
        {
            throw Refusal.Forbidden("Refusal.NotCourseTeacher");
        }
    }

    /// The material and the actor's role in its course. A stranger is told it does not exist, so ids reveal nothing.
    public static async Task<(CourseMaterial Material, OwnerRole Role)> MaterialForAsync(this LokiDbContext db, MeetingOwners owners, Guid materialId, Actor actor, CancellationToken cancellationToken)
    {
        var material = await db.CourseMaterials.SingleOrDefaultAsync(m => m.Id == materialId, cancellationToken);
        var access = material is null ? null : await owners.AccessAsync(db, material.CourseId, actor, cancellationToken);
        return access is { MayView: true, Role: { } role } ? (material!, role) : throw Refusal.NotFound("Materials.Refusal.NotFound");
    }
}
