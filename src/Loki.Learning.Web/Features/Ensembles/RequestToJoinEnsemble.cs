using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

public sealed record JoinRequestReceipt(Guid RequestId, string EnsembleName);

/// A pupil without an account asks to join with a class code. Only a display name is asked for.
public sealed record RequestToJoinEnsemble(
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(16, ErrorMessage = "Validation.TooLong")] string Code,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(60, MinimumLength = 2, ErrorMessage = "Validation.DisplayName")] string DisplayName,
    [property: StringLength(100, ErrorMessage = "Validation.TooLong")] string? Instrument,
    bool GuardianConsentForRecording) : ICommand<JoinRequestReceipt>;

public sealed class RequestToJoinEnsembleHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : ICommandHandler<RequestToJoinEnsemble, JoinRequestReceipt>
{
    /// Open requests per code; a classroom is rarely bigger, and it stops a leaked code from flooding a teacher.
    public const int MaxPendingPerCode = 60;

    public async ValueTask<JoinRequestReceipt> Handle(RequestToJoinEnsemble command, CancellationToken cancellationToken)
    {
        var normalized = command.Code.Trim().ToUpperInvariant().Replace(" ", "").Replace("-", "");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var code = await db.ClassCodes.AsNoTracking().SingleOrDefaultAsync(c => c.Code == normalized, cancellationToken);
        if (code is null || code.Revoked)
        {
            throw Refusal.Invalid("Refusal.WrongClassCode", nameof(command.Code));
        }
        if (code.ExpiresUtc <= now)
        {
            throw Refusal.Invalid("Refusal.ExpiredClassCode", nameof(command.Code));
        }
        var pending = await db.JoinRequests.CountAsync(r => r.Code == code.Code && r.Status == JoinRequestStatus.Pending, cancellationToken);
        if (pending >= MaxPendingPerCode)
        {
            throw Refusal.Conflict("Refusal.TooManyPendingRequests", nameof(command.Code));
        }
        var ensembleName = await db.Ensembles.Where(e => e.Id == code.EnsembleId).Select(e => e.Name).SingleAsync(cancellationToken);
        var request = new JoinRequest
        {
            EnsembleId = code.EnsembleId,
            Code = code.Code,
            DisplayName = command.DisplayName.Trim(),
            Instrument = string.IsNullOrWhiteSpace(command.Instrument) ? null : command.Instrument.Trim(),
            InstitutionId = code.InstitutionId,
            GuardianConsentForRecording = command.GuardianConsentForRecording,
            RequestedUtc = now,
        };
        db.JoinRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        return new JoinRequestReceipt(request.Id, ensembleName);
    }
}
