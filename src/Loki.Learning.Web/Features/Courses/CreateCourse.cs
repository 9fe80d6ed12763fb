using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

public sealed record CreateCourse(
    Actor Actor,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    [property: StringLength(4000, ErrorMessage = "Validation.TooLong")] string? Description,
    [property: Range(1, 1000, ErrorMessage = "Validation.Capacity")] int Capacity,
    [property: StringLength(64, MinimumLength = 4, ErrorMessage = "Validation.EnrolmentKey")] string? EnrolmentKey,
    string TimeZoneId,
    bool PublicCalendar,
    int? InstitutionId = null) : ICommand<Guid>;

public sealed class CreateCourseHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<CreateCourse, Guid>
{
    public async ValueTask<Guid> Handle(CreateCourse command, CancellationToken cancellationToken)
    {
        if (!command.Actor.CanTeach)
        {
            throw Refusal.Forbidden("Refusal.OnlyTeachersCreateCourses");
        }
        if (!Schedule.IsSupported(command.TimeZoneId))
        {
            throw Refusal.Invalid("Validation.TimeZone", nameof(command.TimeZoneId));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureInstitutionExistsAsync(command.InstitutionId, cancellationToken);
        var course = new Course
        {
            Title = command.Title.Trim(),
            Description = command.Description?.Trim() ?? "",
            Capacity = command.Capacity,
            EnrolmentKey = string.IsNullOrWhiteSpace(command.EnrolmentKey) ? null : command.EnrolmentKey.Trim(),
            TimeZoneId = command.TimeZoneId,
            PublicCalendar = command.PublicCalendar,
            InstitutionId = command.InstitutionId,
        };
        course.Teachers.Add(new CourseTeacher { PersonId = command.Actor.PersonId });
        db.Courses.Add(course);
        await db.SaveChangesAsync(cancellationToken);
        return course.Id;
    }
}
