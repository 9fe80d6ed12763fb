using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// A teacher gives a pupil of their ensemble a new passphrase (the pupil forgot it, or it was seen by someone else).
/// The old one stops working and the pupil's other sessions end; the new one is shown to the teacher once.
public sealed record IssuePupilPassphrase(Actor Actor, Guid EnsembleId, string PupilId) : ICommand<ApprovalOutcome>;

public sealed class IssuePupilPassphraseHandler(IServiceScopeFactory scopes) : ICommandHandler<IssuePupilPassphrase, ApprovalOutcome>
{
    public async ValueTask<ApprovalOutcome> Handle(IssuePupilPassphrase command, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LokiDbContext>();
        await db.EnsureLeadsAsync(command.EnsembleId, command.Actor, cancellationToken);
        // Only a pupil who is a member of this very ensemble: leading one ensemble gives no hold on anyone else's pupils
        // (nor on adults, who reset their own password by e-mail).
        var isPupilHere = await db.EnsembleMembers.AnyAsync(
            m => m.EnsembleId == command.EnsembleId && m.PersonId == command.PupilId && m.Role == EnsembleRole.Pupil && m.Person!.IsPupil, cancellationToken);
        if (!isPupilHere)
        {
            throw Refusal.NotFound("Refusal.PupilNotFound");
        }
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var pupil = await users.FindByIdAsync(command.PupilId) ?? throw Refusal.NotFound("Refusal.PupilNotFound");
        var password = SecretTokens.NewPassphrase();
        // Removing the password also changes the security stamp: whoever knew the old passphrase is signed out. The
        // passphrase is checked before the old one goes, so a refusal leaves the pupil's login as it was.
        foreach (var validator in users.PasswordValidators)
        {
            if (!(await validator.ValidateAsync(users, pupil, password)).Succeeded)
            {
                throw Refusal.Conflict("Refusal.AccountNotCreated");
            }
        }
        var removed = await users.RemovePasswordAsync(pupil);
        var added = removed.Succeeded ? await users.AddPasswordAsync(pupil, password) : removed;
        if (!added.Succeeded)
        {
            throw Refusal.Conflict("Refusal.AccountNotCreated");
        }
        await users.ResetAccessFailedCountAsync(pupil);
        await users.SetLockoutEndDateAsync(pupil, null);
        return new ApprovalOutcome(null, pupil.DisplayName, pupil.UserName, password);
    }
}
