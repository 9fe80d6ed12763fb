using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Courses;

/// A teacher enrols a student by username or e-mail.
public sealed record EnrollInCourse(
    Actor Actor,
    Guid CourseId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(256, ErrorMessage = "Validation.TooLong")] string Student) : ICommand<EnrolmentOutcome>;

public sealed class EnrollInCourseHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : ICommandHandler<EnrollInCourse, EnrolmentOutcome>
{
    public async ValueTask<EnrolmentOutcome> Handle(EnrollInCourse command, CancellationToken cancellationToken)
    {
        string personId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await db.EnsureTeachesAsync(command.CourseId, command.Actor, cancellationToken);
            var login = command.Student.Trim().ToUpperInvariant();
            personId = await db.Users
                .Where(p => p.NormalizedUserName == login || p.NormalizedEmail == login)
                .Select(p => p.Id)
                .FirstOrDefaultAsync(cancellationToken)
                ?? throw Refusal.Invalid("Refusal.PersonNotFound", nameof(command.Student));
        }

        var outcome = await grains.GetGrain<ICourseGrain>(command.CourseId).EnrollAsync(personId, selfEnrolmentKey: null);
        return outcome.Succeeded ? outcome : throw Refusal.Conflict(outcome.RefusalKey!, nameof(command.Student));
    }
}
