using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Ensembles;

/// A teacher gives a pupil of their own ensemble a new passphrase; a teacher of another ensemble cannot, whichever
/// ensemble they name.
[Collection(nameof(CatalogueCollection))]
public sealed class NewPassphraseTests(Catalogue catalogue)
{
    private async Task<(Actor Teacher, Guid EnsembleId, ApprovalOutcome Pupil)> EnsembleWithPupilAsync()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var id = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Winds " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Stockholm", null));
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, id, await catalogue.SchoolAsync()));
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Nils Holm", "Flute", GuardianConsentForRecording: false));
        var approved = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, id, receipt.RequestId, Approve: true));
        return (teacher, id, approved);
    }

    private async Task<(Person Pupil, bool OldWorks, bool NewWorks)> PasswordsAsync(string userName, string oldPassword, string? newPassword)
    {
        using var scope = catalogue.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var pupil = (await users.FindByNameAsync(userName))!;
        return (pupil, await users.CheckPasswordAsync(pupil, oldPassword), newPassword is not null && await users.CheckPasswordAsync(pupil, newPassword));
    }

    [Fact]
    public async Task TheTeacherGetsANewPassphraseOnceAndTheOldOneStopsWorking()
    {
        var (teacher, ensembleId, approved) = await EnsembleWithPupilAsync();
        var (pupil, _, _) = await PasswordsAsync(approved.UserName!, approved.Password!, null);

        var issued = await catalogue.Mediator.Send(new IssuePupilPassphrase(teacher, ensembleId, pupil.Id));

        Assert.Equal(approved.UserName, issued.UserName);
        Assert.NotEqual(approved.Password, issued.Password);
        var (after, oldWorks, newWorks) = await PasswordsAsync(approved.UserName!, approved.Password!, issued.Password);
        Assert.False(oldWorks);
        Assert.True(newWorks);
        Assert.NotEqual(pupil.SecurityStamp, after.SecurityStamp);
    }

    [Fact]
    public async Task ATeacherOfAnotherEnsembleCannotResetSomeoneElsesPupil()
    {
        var (_, victimEnsemble, approved) = await EnsembleWithPupilAsync();
        var (pupil, _, _) = await PasswordsAsync(approved.UserName!, approved.Password!, null);
        var (attacker, ownEnsemble, _) = await EnsembleWithPupilAsync();
        var adult = await catalogue.PersonAsync(Roles.Student);

        // Naming their own ensemble with the victim's id, naming the victim's ensemble, naming an adult: all refused.
        var viaOwn = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new IssuePupilPassphrase(attacker, ownEnsemble, pupil.Id)).AsTask());
        var viaTheirs = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new IssuePupilPassphrase(attacker, victimEnsemble, pupil.Id)).AsTask());
        var adultRefused = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new IssuePupilPassphrase(attacker, ownEnsemble, adult.PersonId)).AsTask());

        Assert.Equal(RefusalKind.NotFound, viaOwn.Kind);
        Assert.Equal(RefusalKind.Forbidden, viaTheirs.Kind);
        Assert.Equal(RefusalKind.NotFound, adultRefused.Kind);
        var (after, oldWorks, _) = await PasswordsAsync(approved.UserName!, approved.Password!, null);
        Assert.True(oldWorks);
        Assert.Equal(pupil.SecurityStamp, after.SecurityStamp);
    }
}
