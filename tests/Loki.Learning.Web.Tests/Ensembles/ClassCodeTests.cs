using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Ensembles;

[Collection(nameof(CatalogueCollection))]
public sealed class ClassCodeTests(Catalogue catalogue)
{
    private async Task<(Actor Teacher, Guid EnsembleId, string Code)> EnsembleWithCodeAsync()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var id = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Strings " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Stockholm", null));
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, id, await catalogue.SchoolAsync()));
        return (teacher, id, code.Code);
    }

    [Fact]
    public async Task APupilJoinsWithACodeAndSignsInWithTheCredentialsTheTeacherReceives()
    {
        var (teacher, ensembleId, code) = await EnsembleWithCodeAsync();

        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.ToLowerInvariant(), "Åsa Öberg", "Cello", GuardianConsentForRecording: true));
        var outcome = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: true));

        Assert.StartsWith("asa.oberg-", outcome.UserName);
        using var scope = catalogue.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var pupil = await users.FindByNameAsync(outcome.UserName!);
        Assert.NotNull(pupil);
        Assert.True(await users.CheckPasswordAsync(pupil, outcome.Password!));
        Assert.True(pupil.IsPupil);
        Assert.True(pupil.RecordingConsent);
        Assert.Null(pupil.Email);
        Assert.True(await users.IsInRoleAsync(pupil, Roles.Student));

        var details = await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId));
        Assert.Contains(details.Members, m => m.DisplayName == "Åsa Öberg" && m.Role == EnsembleRole.Pupil && m.Instrument == "Cello");
        Assert.Empty(details.PendingRequests);
    }

    [Fact]
    public async Task APupilStillGetsAUsernameWhenEveryFourDigitSuffixOfTheirNameIsTaken()
    {
        var (teacher, ensembleId, code) = await EnsembleWithCodeAsync();
        var surname = string.Concat(Guid.NewGuid().ToString("N")[..8].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var stem = "vex." + surname;
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            db.Users.AddRange(Enumerable.Range(1000, 9000).Select(n => new Person
            {
                UserName = $"{stem}-{n}",
                NormalizedUserName = $"{stem}-{n}".ToUpperInvariant(),
                DisplayName = "Vex " + surname,
                SecurityStamp = Guid.NewGuid().ToString(),
            }));
            await db.SaveChangesAsync();
        }
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code, "Vex " + surname, null, GuardianConsentForRecording: false));

        // Before, the name generator drew four-digit suffixes for ever; the bound only keeps this test from hanging.
        var outcome = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: true)).AsTask()
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Matches($"^{stem.Replace(".", "\\.", StringComparison.Ordinal)}-[a-z0-9]{{8}}$", outcome.UserName);
        using var scope = catalogue.Services.CreateScope();
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<UserManager<Person>>().FindByNameAsync(outcome.UserName!));
    }

    [Fact]
    public async Task AWrongCodeIsRefusedAndNothingIsWritten()
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var before = await db.JoinRequests.CountAsync();

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new RequestToJoinEnsemble("NOPE2345", "Kim", null, false)).AsTask());

        Assert.Equal("Refusal.WrongClassCode", refusal.ReasonKey);
        Assert.Equal("Code", refusal.Field);
        Assert.Equal(before, await db.JoinRequests.CountAsync());
    }

    [Fact]
    public async Task AnExpiredCodeIsRefused()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var id = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Brass " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Oslo", null));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var expired = new ClassCode { Code = "EXPD" + Random.Shared.Next(1000, 9999), EnsembleId = id, IssuedById = teacher.PersonId, ExpiresUtc = catalogue.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1) };
        db.ClassCodes.Add(expired);
        await db.SaveChangesAsync();

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new RequestToJoinEnsemble(expired.Code, "Kim", null, false)).AsTask());

        Assert.Equal("Refusal.ExpiredClassCode", refusal.ReasonKey);
    }

    [Fact]
    public async Task TwoTeachersApprovingAtOnceCreateOneAccount()
    {
        var (teacher, ensembleId, code) = await EnsembleWithCodeAsync();
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code, "Noah", null, false));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            try
            {
                return (await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: true))).UserName;
            }
            catch (Refusal refusal)
            {
                return refusal.ReasonKey;
            }
        }));

        Assert.Single(attempts, a => a!.StartsWith("noah-", StringComparison.Ordinal));
        Assert.Equal(3, attempts.Count(a => a == "Refusal.JoinRequestDecided"));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        Assert.Equal(1, await db.EnsembleMembers.CountAsync(m => m.EnsembleId == ensembleId && m.Role == EnsembleRole.Pupil));
    }

    [Fact]
    public async Task APupilSeesOnlyTheirOwnEnsembles()
    {
        var (teacher, ensembleId, code) = await EnsembleWithCodeAsync();
        var (_, otherEnsembleId, _) = await EnsembleWithCodeAsync();
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code, "Liv", "Flute", false));
        var outcome = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: true));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var pupilId = await db.Users.Where(u => u.UserName == outcome.UserName).Select(u => u.Id).SingleAsync();
        var pupil = new Actor(pupilId, new HashSet<string> { Roles.Student });

        var mine = await catalogue.Mediator.Send(new ListEnsembles(pupil));
        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetEnsemble(pupil, otherEnsembleId)).AsTask());

        Assert.Equal([ensembleId], mine.Select(e => e.Id));
        Assert.Equal(RefusalKind.Forbidden, refusal.Kind);
        var own = await catalogue.Mediator.Send(new GetEnsemble(pupil, ensembleId));
        Assert.False(own.IsTeacher);
        Assert.Empty(own.PendingRequests);
        Assert.Empty(own.ClassCodes);
    }

    [Fact]
    public async Task AnotherEnsemblesTeacherCannotIssueCodesOrApprove()
    {
        var (_, ensembleId, code) = await EnsembleWithCodeAsync();
        var stranger = await catalogue.PersonAsync(Roles.Teacher);
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code, "Ella", null, false));
        var school = await catalogue.SchoolAsync();

        var issue = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new IssueClassCode(stranger, ensembleId, school)).AsTask());
        var approve = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new DecideJoinRequest(stranger, ensembleId, receipt.RequestId, true)).AsTask());

        Assert.Equal("Refusal.NotEnsembleTeacher", issue.ReasonKey);
        Assert.Equal("Refusal.NotEnsembleTeacher", approve.ReasonKey);
    }

    [Fact]
    public async Task ARejectedRequestCannotBeApprovedLater()
    {
        var (teacher, ensembleId, code) = await EnsembleWithCodeAsync();
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code, "Oskar", null, false));
        await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: false));

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, true)).AsTask());

        Assert.Equal("Refusal.JoinRequestDecided", refusal.ReasonKey);
    }
}
