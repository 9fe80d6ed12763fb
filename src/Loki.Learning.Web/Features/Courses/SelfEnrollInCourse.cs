using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Courses;

/// A student enrols with the key the lecturer shared.
public sealed record SelfEnrollInCourse(
    Actor Actor,
    Guid CourseId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(64, ErrorMessage = "Validation.TooLong")] string Key) : ICommand<EnrolmentOutcome>;

public sealed class SelfEnrollInCourseHandler(IGrainFactory grains) : ICommandHandler<SelfEnrollInCourse, EnrolmentOutcome>
{
    public async ValueTask<EnrolmentOutcome> Handle(SelfEnrollInCourse command, CancellationToken cancellationToken)
    {
        var outcome = await grains.GetGrain<ICourseGrain>(command.CourseId).EnrollAsync(command.Actor.PersonId, command.Key);
        return outcome.Succeeded ? outcome : throw Refusal.Conflict(outcome.RefusalKey!, nameof(command.Key));
    }
}
