using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

/// A teacher removes a student, or a student leaves.
public sealed record UnenrollFromCourse(Actor Actor, Guid CourseId, string PersonId) : ICommand<EnrolmentOutcome>;

public sealed class UnenrollFromCourseHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : ICommandHandler<UnenrollFromCourse, EnrolmentOutcome>
{
    public async ValueTask<EnrolmentOutcome> Handle(UnenrollFromCourse command, CancellationToken cancellationToken)
    {
        if (command.PersonId != command.Actor.PersonId)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.EnsureTeachesAsync(command.CourseId, command.Actor, cancellationToken);
        }
        var outcome = await grains.GetGrain<ICourseGrain>(command.CourseId).UnenrollAsync(command.PersonId);
        return outcome.Succeeded ? outcome : throw Refusal.Conflict(outcome.RefusalKey!);
    }
}
