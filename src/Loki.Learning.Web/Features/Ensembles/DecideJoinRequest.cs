using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// A teacher approves (creating the pupil's account) or rejects a join request.
public sealed record DecideJoinRequest(Actor Actor, Guid EnsembleId, Guid RequestId, bool Approve) : ICommand<ApprovalOutcome>;

public sealed class DecideJoinRequestHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : ICommandHandler<DecideJoinRequest, ApprovalOutcome>
{
    public async ValueTask<ApprovalOutcome> Handle(DecideJoinRequest command, CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await db.EnsureLeadsAsync(command.EnsembleId, command.Actor, cancellationToken);
        }
        var ensemble = grains.GetGrain<IEnsembleGrain>(command.EnsembleId);
        var outcome = command.Approve
            ? await ensemble.ApproveJoinRequestAsync(command.RequestId, command.Actor.PersonId)
            : await ensemble.RejectJoinRequestAsync(command.RequestId, command.Actor.PersonId);
        return outcome.Succeeded ? outcome : throw Refusal.Conflict(outcome.RefusalKey!);
    }
}
