using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

public sealed record CreateEnsemble(
    Actor Actor,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Name,
    [property: StringLength(4000, ErrorMessage = "Validation.TooLong")] string? Description,
    string TimeZoneId,
    int? InstitutionId) : ICommand<Guid>;

public sealed class CreateEnsembleHandler(IDbContextFactory<LokiDbContext> dbFactory) : ICommandHandler<CreateEnsemble, Guid>
{
    public async ValueTask<Guid> Handle(CreateEnsemble command, CancellationToken cancellationToken)
    {
        if (!command.Actor.CanTeach)
        {
            throw Refusal.Forbidden("Refusal.OnlyTeachersCreateEnsembles");
        }
        if (!Schedule.IsSupported(command.TimeZoneId))
        {
            throw Refusal.Invalid("Validation.TimeZone", nameof(command.TimeZoneId));
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ensemble = new Ensemble { Name = command.Name.Trim(), Description = command.Description?.Trim() ?? "", TimeZoneId = command.TimeZoneId };
        ensemble.Members.Add(new EnsembleMember { PersonId = command.Actor.PersonId, Role = EnsembleRole.Teacher, InstitutionId = command.InstitutionId });
        db.Ensembles.Add(ensemble);
        await db.SaveChangesAsync(cancellationToken);
        return ensemble.Id;
    }
}
