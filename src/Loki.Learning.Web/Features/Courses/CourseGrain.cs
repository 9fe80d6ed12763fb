using Loki.Learning.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

public sealed class CourseGrain(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : Grain, ICourseGrain
{
    public async Task<EnrolmentOutcome> EnrollAsync(string personId, string? selfEnrolmentKey)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();

        var course = await db.Courses.AsNoTracking().SingleOrDefaultAsync(c => c.Id == this.GetPrimaryKey());
        if (course is null)
        {
            return new EnrolmentOutcome("Refusal.CourseNotFound", 0, 0);
        }
        var enrolled = await db.CourseEnrolments.CountAsync(e => e.CourseId == course.Id);
        if (selfEnrolmentKey is not null
            && (course.EnrolmentKey is null || !string.Equals(course.EnrolmentKey, selfEnrolmentKey.Trim(), StringComparison.Ordinal)))
        {
            return new EnrolmentOutcome("Refusal.WrongEnrolmentKey", enrolled, course.Capacity);
        }
        if (await db.CourseEnrolments.AnyAsync(e => e.CourseId == course.Id && e.PersonId == personId))
        {
            return new EnrolmentOutcome("Refusal.AlreadyEnrolled", enrolled, course.Capacity);
        }
        if (await db.CourseTeachers.AnyAsync(t => t.CourseId == course.Id && t.PersonId == personId))
        {
            return new EnrolmentOutcome("Refusal.TeacherCannotEnrol", enrolled, course.Capacity);
        }
        if (enrolled >= course.Capacity)
        {
            return new EnrolmentOutcome("Refusal.CourseFull", enrolled, course.Capacity);
        }

        db.CourseEnrolments.Add(new CourseEnrolment { CourseId = course.Id, PersonId = personId, EnrolledUtc = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new EnrolmentOutcome(null, enrolled + 1, course.Capacity);
    }

    public async Task<EnrolmentOutcome> UnenrollAsync(string personId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var courseId = this.GetPrimaryKey();
        var capacity = await db.Courses.Where(c => c.Id == courseId).Select(c => (int?)c.Capacity).SingleOrDefaultAsync();
        if (capacity is null)
        {
            return new EnrolmentOutcome("Refusal.CourseNotFound", 0, 0);
        }
        var removed = await db.CourseEnrolments.Where(e => e.CourseId == courseId && e.PersonId == personId).ExecuteDeleteAsync();
        var enrolled = await db.CourseEnrolments.CountAsync(e => e.CourseId == courseId);
        return new EnrolmentOutcome(removed == 0 ? "Refusal.NotEnrolled" : null, enrolled, capacity.Value);
    }
}
