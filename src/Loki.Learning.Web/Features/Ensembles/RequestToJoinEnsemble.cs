using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// <param name="School">The school the code belongs to; the pupil's account will belong to it.</param>
public sealed record JoinRequestReceipt(Guid RequestId, string EnsembleName, string School);

/// A pupil without an account asks to join with a class code. Only a display name is asked for.
public sealed record RequestToJoinEnsemble(
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(16, ErrorMessage = "Validation.TooLong")] string Code,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(60, MinimumLength = 2, ErrorMessage = "Validation.DisplayName")] string DisplayName,
    [property: StringLength(100, ErrorMessage = "Validation.TooLong")] string? Instrument,
    bool GuardianConsentForRecording) : ICommand<JoinRequestReceipt>;

/// Finds the code's ensemble and hands the request to that ensemble's grain, which checks the code again (revoked,
/// expired, its school) in the same turn in which it files the request, and tells the teachers' pages.
public sealed class RequestToJoinEnsembleHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains) : ICommandHandler<RequestToJoinEnsemble, JoinRequestReceipt>
{
    public async ValueTask<JoinRequestReceipt> Handle(RequestToJoinEnsemble command, CancellationToken cancellationToken)
    {
        var normalized = ClassCodeRules.Normalize(command.Code);
        Guid? ensembleId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            ensembleId = await db.ClassCodes.Where(c => c.Code == normalized).Select(c => (Guid?)c.EnsembleId).SingleOrDefaultAsync(cancellationToken);
        }
        if (ensembleId is null)
        {
            throw Refusal.Invalid("Refusal.WrongClassCode", nameof(command.Code));
        }
        var outcome = await grains.GetGrain<IEnsembleGrain>(ensembleId.Value)
            .RequestToJoinAsync(new JoinApplication(normalized, command.DisplayName, command.Instrument, command.GuardianConsentForRecording));
        return outcome.RefusalKey switch
        {
            null => new JoinRequestReceipt(outcome.RequestId, outcome.EnsembleName!, outcome.School!),
            "Refusal.TooManyPendingRequests" => throw Refusal.Conflict(outcome.RefusalKey, nameof(command.Code)),
            _ => throw Refusal.Invalid(outcome.RefusalKey, nameof(command.Code)),
        };
    }
}
