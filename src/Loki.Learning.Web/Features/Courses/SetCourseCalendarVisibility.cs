using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

/// The owner decides whether the course's sessions may be subscribed to without logging in.
public sealed record SetCourseCalendarVisibility(Actor Actor, Guid CourseId, bool Public) : ICommand;

public sealed class SetCourseCalendarVisibilityHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<SetCourseCalendarVisibility>
{
    public async ValueTask<Unit> Handle(SetCourseCalendarVisibility command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureTeachesAsync(command.CourseId, command.Actor, cancellationToken);
        await db.Courses.Where(c => c.Id == command.CourseId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.PublicCalendar, command.Public), cancellationToken);
        return Unit.Value;
    }
}
