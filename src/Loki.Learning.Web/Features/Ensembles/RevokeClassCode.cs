using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// A teacher ends a class code (it leaked, or the class is complete). Pupils who try it afterwards are told it was
/// withdrawn and nothing is written; requests that came in before stay for the teacher to decide.
public sealed record RevokeClassCode(Actor Actor, Guid EnsembleId, string Code) : ICommand;

public sealed class RevokeClassCodeHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : ICommandHandler<RevokeClassCode>
{
    public async ValueTask<Unit> Handle(RevokeClassCode command, CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await db.EnsureLeadsAsync(command.EnsembleId, command.Actor, cancellationToken);
        }
        var refusal = await grains.GetGrain<IEnsembleGrain>(command.EnsembleId)
            .RevokeClassCodeAsync(ClassCodeRules.Normalize(command.Code), command.Actor.PersonId);
        return refusal is null ? Unit.Value : throw Refusal.NotFound(refusal);
    }
}
