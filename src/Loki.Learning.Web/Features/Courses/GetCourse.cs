using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

/// <param name="RecordingConsent">The person's own consent on file for being recorded.</param>
public sealed record PersonSummary(string Id, string DisplayName, string UserName, bool RecordingConsent = false);

/// What a person may see of a course. Only its teachers and students see the roster and schedule (and, through the
/// materials feature, its materials).
public sealed record CourseDetails(
    Guid Id,
    string Title,
    string Description,
    string TimeZoneId,
    int Capacity,
    int EnrolledCount,
    bool SelfEnrolmentOpen,
    bool PublicCalendar,
    bool IsTeacher,
    bool IsEnrolled,
    IReadOnlyList<PersonSummary> Teachers,
    IReadOnlyList<PersonSummary> Students,
    IReadOnlyList<MeetingSummary> Sessions)
{
    public bool IsMember => IsTeacher || IsEnrolled;
}

public sealed record GetCourse(Actor Actor, Guid CourseId) : IQuery<CourseDetails>;

public sealed class GetCourseHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<GetCourse, CourseDetails>
{
    public async ValueTask<CourseDetails> Handle(GetCourse query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var course = await db.Courses.AsNoTracking().SingleOrDefaultAsync(c => c.Id == query.CourseId, cancellationToken)
            ?? throw Refusal.NotFound("Refusal.CourseNotFound");

        var isTeacher = await db.TeachesAsync(course.Id, query.Actor, cancellationToken);
        var isEnrolled = await db.CourseEnrolments.AnyAsync(e => e.CourseId == course.Id && e.PersonId == query.Actor.PersonId, cancellationToken);
        var enrolledCount = await db.CourseEnrolments.CountAsync(e => e.CourseId == course.Id, cancellationToken);
        if (!isTeacher && !isEnrolled && course.EnrolmentKey is null)
        {
            throw Refusal.Forbidden("Refusal.NotCourseMember");
        }

        var teachers = await db.CourseTeachers.Where(t => t.CourseId == course.Id)
            .Select(t => new PersonSummary(t.PersonId, t.Person!.DisplayName, t.Person.UserName!))
            .ToListAsync(cancellationToken);
        IReadOnlyList<PersonSummary> students = [];
        IReadOnlyList<MeetingSummary> sessions = [];
        if (isTeacher || isEnrolled)
        {
            students = await db.CourseEnrolments.Where(e => e.CourseId == course.Id)
                .OrderBy(e => e.Person!.DisplayName)
                .Select(e => new PersonSummary(e.PersonId, e.Person!.DisplayName, e.Person.UserName!, e.Person.RecordingConsent))
                .ToListAsync(cancellationToken);
            sessions = await db.Meetings.Where(s => s.OwnerId == course.Id)
                .OrderBy(s => s.StartsUtc)
                .Select(s => new MeetingSummary(s.Id, s.Title, s.StartsUtc, s.EndsUtc, s.RoomId))
                .ToListAsync(cancellationToken);
        }

        return new CourseDetails(
            course.Id, course.Title, course.Description, course.TimeZoneId, course.Capacity, enrolledCount,
            course.EnrolmentKey is not null, course.PublicCalendar, isTeacher, isEnrolled,
            teachers, students, sessions);
    }
}
