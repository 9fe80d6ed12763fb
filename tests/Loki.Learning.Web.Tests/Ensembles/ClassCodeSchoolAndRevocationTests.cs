using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Ensembles;

/// A code names the kulturskola its pupils belong to; a teacher can revoke it, and the list shows each code's state
/// and who joined through it.
[Collection(nameof(CatalogueCollection))]
public sealed class ClassCodeSchoolAndRevocationTests(Catalogue catalogue)
{
    private async Task<(Actor Teacher, Guid EnsembleId)> EnsembleAsync()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var id = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Cellos " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Stockholm", null));
        return (teacher, id);
    }

    private async Task<int> CodesOfAsync(Guid ensembleId)
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        return await db.ClassCodes.CountAsync(c => c.EnsembleId == ensembleId);
    }

    [Fact]
    public async Task ACodeWithoutASchoolIsRefusedAndNoCodeIsWritten()
    {
        var (teacher, ensembleId) = await EnsembleAsync();

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, null)).AsTask());

        Assert.Equal(("Refusal.ClassCodeNeedsSchool", "InstitutionId"), (refusal.ReasonKey, refusal.Field));
        Assert.Equal(0, await CodesOfAsync(ensembleId));
    }

    [Theory]
    [InlineData(InstitutionKind.University)]
    [InlineData(InstitutionKind.Stage)]
    public async Task ACodeForASchoolThatIsNoKulturskolaIsRefusedWhateverTheFormOffered(InstitutionKind kind)
    {
        var (teacher, ensembleId) = await EnsembleAsync();
        var university = await catalogue.SchoolAsync(kind);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, university)).AsTask());

        Assert.Equal("Refusal.NotAPupilSchool", refusal.ReasonKey);
        Assert.Equal(0, await CodesOfAsync(ensembleId));
    }

    [Fact]
    public async Task OnlyKulturskolorAreListedForAPupilsSchool()
    {
        var kulturskola = await catalogue.SchoolAsync();
        var university = await catalogue.SchoolAsync(InstitutionKind.University);

        var offered = await catalogue.Mediator.Send(new ListInstitutions(InstitutionKind.Kulturskola));

        Assert.Contains(offered, i => i.Id == kulturskola);
        Assert.DoesNotContain(offered, i => i.Id == university);
        Assert.All(offered, i => Assert.Equal(InstitutionKind.Kulturskola, i.Kind));
    }

    [Fact]
    public async Task ThePupilsReceiptNamesTheSchoolTheirAccountWillBelongTo()
    {
        var (teacher, ensembleId) = await EnsembleAsync();
        var school = await catalogue.SchoolAsync(name: "Härnösands kulturskola");
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, school));

        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Maja", null, false));
        var approved = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, true));

        Assert.StartsWith("Härnösands kulturskola ", receipt.School, StringComparison.Ordinal);
        await using var db = await catalogue.Db.CreateDbContextAsync();
        Assert.Equal(school, await db.Users.Where(u => u.UserName == approved.UserName).Select(u => u.InstitutionId).SingleAsync());
    }

    [Fact]
    public async Task ARevokedCodeIsRefusedWithItsOwnReasonAndCreatesNothing()
    {
        var (teacher, ensembleId) = await EnsembleAsync();
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await catalogue.SchoolAsync()));
        await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Before", null, false));

        await catalogue.Mediator.Send(new RevokeClassCode(teacher, ensembleId, code.Code.ToLowerInvariant()));
        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "After", null, true)).AsTask());

        Assert.Equal(("Refusal.RevokedClassCode", "Code"), (refusal.ReasonKey, refusal.Field));
        var details = await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId));
        // The request made before the code was revoked stays for the teacher to decide.
        Assert.Equal(["Before"], details.PendingRequests.Select(r => r.DisplayName));
        var listed = Assert.Single(details.ClassCodes);
        Assert.Equal(ClassCodeState.Revoked, listed.State);
    }

    [Fact]
    public async Task RevokingTwiceIsHarmlessAndAnotherEnsemblesTeacherCannotRevoke()
    {
        var (teacher, ensembleId) = await EnsembleAsync();
        var (stranger, strangersEnsemble) = await EnsembleAsync();
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await catalogue.SchoolAsync()));

        var foreign = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new RevokeClassCode(stranger, ensembleId, code.Code)).AsTask());
        // Naming their own ensemble does not reach a code of another.
        var elsewhere = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new RevokeClassCode(stranger, strangersEnsemble, code.Code)).AsTask());
        Assert.Equal("Refusal.NotEnsembleTeacher", foreign.ReasonKey);
        Assert.Equal("Refusal.ClassCodeNotFound", elsewhere.ReasonKey);
        Assert.Equal(ClassCodeState.Active, (await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).ClassCodes.Single().State);

        await catalogue.Mediator.Send(new RevokeClassCode(teacher, ensembleId, code.Code));
        await catalogue.Mediator.Send(new RevokeClassCode(teacher, ensembleId, code.Code));
        Assert.Equal(ClassCodeState.Revoked, (await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).ClassCodes.Single().State);
    }

    [Fact]
    public async Task TheTeacherSeesEachCodesStateAndWhoJoinedThroughIt()
    {
        var (teacher, ensembleId) = await EnsembleAsync();
        var school = await catalogue.SchoolAsync();
        var first = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, school));
        var second = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, school));
        foreach (var name in new[] { "Alva", "Bo" })
        {
            var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(first.Code, name, null, false));
            await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, true));
        }
        var rejected = await catalogue.Mediator.Send(new RequestToJoinEnsemble(first.Code, "Cleo", null, false));
        await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, rejected.RequestId, false));
        await catalogue.Mediator.Send(new RevokeClassCode(teacher, ensembleId, first.Code));

        var codes = (await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).ClassCodes.ToDictionary(c => c.Code);
        Assert.Equal(2, codes.Count);

        Assert.Equal(ClassCodeState.Revoked, codes[first.Code].State);
        Assert.Equal(["Alva", "Bo"], codes[first.Code].Joined);
        Assert.Equal(ClassCodeState.Active, codes[second.Code].State);
        Assert.Empty(codes[second.Code].Joined);
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var now = catalogue.Clock.GetUtcNow().UtcDateTime;
        db.ClassCodes.Add(new ClassCode { Code = "OLD" + Random.Shared.Next(10000, 99999), EnsembleId = ensembleId, InstitutionId = school, IssuedById = teacher.PersonId, IssuedUtc = now.AddDays(-8), ExpiresUtc = now.AddDays(-1) });
        await db.SaveChangesAsync();
        Assert.Contains((await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).ClassCodes, c => c.Code.StartsWith("OLD", StringComparison.Ordinal) && c.State == ClassCodeState.Expired);
    }
}
