using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

public sealed record IssuedClassCode(string Code, DateTime ExpiresUtc);

/// A teacher creates a code to give pupils in class; it expires so a leaked code does little harm.
/// <param name="InstitutionId">The kulturskola the code is for: pupils who join with it belong to that school.
/// Required (nullable only so that a form or body without it gets a clear refusal, not a binding error).</param>
public sealed record IssueClassCode(
    Actor Actor,
    Guid EnsembleId,
    int? InstitutionId,
    [property: Range(1, 30, ErrorMessage = "Validation.CodeValidity")] int ValidDays = 7) : ICommand<IssuedClassCode>;

public sealed class IssueClassCodeHandler(IDbContextFactory<LokiDbContext> dbFactory, IGrainFactory grains, TimeProvider clock) : ICommandHandler<IssueClassCode, IssuedClassCode>
{
    public const int CodeLength = 8;

    public async ValueTask<IssuedClassCode> Handle(IssueClassCode command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureLeadsAsync(command.EnsembleId, command.Actor, cancellationToken);
        // The form offers only kulturskolor; the id is checked here all the same, whatever sent it.
        var kind = command.InstitutionId is { } institutionId
            ? await db.Institutions.Where(i => i.Id == institutionId).Select(i => (InstitutionKind?)i.Kind).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (ClassCodeRules.RefusalForSchool(command.InstitutionId, kind) is { } refusal)
        {
            throw Refusal.Invalid(refusal, nameof(command.InstitutionId));
        }
        var code = new ClassCode
        {
            Code = SecretTokens.NewReadable(CodeLength),
            EnsembleId = command.EnsembleId,
            InstitutionId = command.InstitutionId,
            IssuedById = command.Actor.PersonId,
            IssuedUtc = clock.GetUtcNow().UtcDateTime,
            ExpiresUtc = clock.GetUtcNow().UtcDateTime.AddDays(command.ValidDays),
        };
        db.ClassCodes.Add(code);
        await db.SaveChangesAsync(cancellationToken);
        await grains.GetGrain<IEnsembleGrain>(command.EnsembleId).ClassCodesChangedAsync();
        return new IssuedClassCode(code.Code, code.ExpiresUtc);
    }
}
