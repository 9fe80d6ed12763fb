using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

public sealed record IssuedClassCode(string Code, DateTime ExpiresUtc);

/// A teacher creates a code to give pupils in class; it expires so a leaked code does little harm.
public sealed record IssueClassCode(
    Actor Actor,
    Guid EnsembleId,
    int? InstitutionId,
    [property: Range(1, 30, ErrorMessage = "Validation.CodeValidity")] int ValidDays = 7) : ICommand<IssuedClassCode>;

public sealed class IssueClassCodeHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : ICommandHandler<IssueClassCode, IssuedClassCode>
{
    public const int CodeLength = 8;

    public async ValueTask<IssuedClassCode> Handle(IssueClassCode command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureLeadsAsync(command.EnsembleId, command.Actor, cancellationToken);
        if (command.InstitutionId is { } institutionId && !await db.Institutions.AnyAsync(i => i.Id == institutionId, cancellationToken))
        {
            throw Refusal.Invalid("Refusal.InstitutionNotFound", nameof(command.InstitutionId));
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
        return new IssuedClassCode(code.Code, code.ExpiresUtc);
    }
}
