using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

/// <param name="Start">Wall-clock start in the course's time zone.</param>
public sealed record ScheduleClassSession(
    Actor Actor,
    Guid CourseId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    DateTime Start,
    [property: Range(15, 480, ErrorMessage = "Validation.Duration")] int DurationMinutes) : ICommand<Guid>;

public sealed class ScheduleClassSessionHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<ScheduleClassSession, Guid>
{
    public async ValueTask<Guid> Handle(ScheduleClassSession command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureTeachesAsync(command.CourseId, command.Actor, cancellationToken);
        var timeZoneId = await db.Courses.Where(c => c.Id == command.CourseId).Select(c => c.TimeZoneId).SingleAsync(cancellationToken);

        var (startsUtc, endsUtc) = Schedule.Slot(command.Start, command.DurationMinutes, timeZoneId);
        var session = new ClassSession { CourseId = command.CourseId, Title = command.Title.Trim(), StartsUtc = startsUtc, EndsUtc = endsUtc };
        db.ClassSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id;
    }
}
