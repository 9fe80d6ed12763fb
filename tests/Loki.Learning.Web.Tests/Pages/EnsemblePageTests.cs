using Bunit;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Tests.Ensembles;

namespace Loki.Learning.Web.Tests.Pages;

[Collection(nameof(CatalogueCollection))]
public sealed class EnsemblePageTests(Catalogue catalogue) : PageContext(catalogue, "nb")
{
    [Fact]
    public async Task ApprovingShowsThePupilsLoginOnce()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Steinkjer strykere", null, "Europe/Oslo", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await Catalogue.SchoolAsync()));
        await Catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Ola", "Bratsj", false));
        SignIn(teacher);
        var cut = Render<EnsemblePage>(parameters => parameters.Add(p => p.EnsembleId, ensembleId));

        cut.WaitForElement("button[aria-label='Godkjenn Ola']").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.StartsWith("ola-", cut.Find("[data-testid=pupil-username]").TextContent, StringComparison.Ordinal);
            Assert.Matches(@"^[a-z]+-[a-z]+-[a-z]+-[a-z]+-\d\d$", cut.Find("[data-testid=pupil-password]").TextContent);
            Assert.Contains("Ola", cut.Find("tbody").TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30)); // An approval hashes a password: slow on a busy machine.

        cut.FindAll("button").Single(b => b.TextContent == "Jeg har notert innloggingen").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=pupil-password]")));
    }

    [Fact]
    public async Task APupilOfAnotherEnsembleIsToldTheyHaveNoAccess()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Lukket ensemble", null, "Europe/Oslo", null));
        var outsider = await Catalogue.PersonAsync(Roles.Student);
        SignIn(outsider);

        var cut = Render<EnsemblePage>(parameters => parameters.Add(p => p.EnsembleId, ensembleId));

        cut.WaitForAssertion(() => Assert.Equal("Bare ensemblets medlemmer kan se det.", cut.Find("[role=alert]").TextContent));
        Assert.DoesNotContain("Lukket ensemble", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APupilsRequestAppearsWhileTheTeacherLooksAndTheCountFollows()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Namsos fioliner", null, "Europe/Oslo", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await Catalogue.SchoolAsync()));
        SignIn(teacher);
        var cut = Render<EnsemblePage>(parameters => parameters.Add(p => p.EnsembleId, ensembleId));
        cut.WaitForAssertion(() => Assert.Contains("Ingen søknader venter.", cut.Markup, StringComparison.Ordinal));

        // Nothing on the page is touched: the request comes through the ensemble's grain to the page's watcher.
        await Catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Ola", "Bratsj", false));
        cut.WaitForAssertion(() =>
        {
            Assert.NotNull(cut.Find("button[aria-label='Godkjenn Ola']"));
            Assert.Equal("1", cut.Find("[data-testid=join-request-count]").TextContent);
            Assert.Contains("1 elev venter på svaret ditt.", cut.Find("[data-testid=waiting-requests]").TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30));
        await Catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Kari", null, false));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("2", cut.Find("[data-testid=join-request-count]").TextContent);
            Assert.Contains("2 elever venter på svaret ditt.", cut.Find("[data-testid=waiting-requests]").TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30));

        // Another teacher (here: the same one elsewhere) decides: the request leaves this page too.
        var kari = (await Catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).PendingRequests.Single(r => r.DisplayName == "Kari");
        await Catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, kari.Id, Approve: false));
        cut.WaitForAssertion(() =>
        {
            Assert.Empty(cut.FindAll("button[aria-label='Avslå Kari']"));
            Assert.Equal("1", cut.Find("[data-testid=join-request-count]").TextContent);
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TheTeacherRevokesACodeAndSeesItsStateAndWhoJoined()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Levanger messing", null, "Europe/Oslo", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await Catalogue.SchoolAsync()));
        var receipt = await Catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Sigrid", "Horn", false));
        await Catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: true));
        SignIn(teacher);
        var cut = Render<EnsemblePage>(parameters => parameters.Add(p => p.EnsembleId, ensembleId));

        cut.WaitForAssertion(() => Assert.Contains("Ble med via koden: Sigrid", cut.Find("li.class-code-item").TextContent, StringComparison.Ordinal));
        Assert.Contains("aktiv", cut.Find("li.class-code-item .code-state").TextContent, StringComparison.Ordinal);
        cut.Find($"button[aria-label='Trekk tilbake koden {code.Code}']").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("trukket tilbake", cut.Find("li.class-code-item .code-state").TextContent);
            Assert.Empty(cut.FindAll($"button[aria-label='Trekk tilbake koden {code.Code}']"));
            Assert.StartsWith("Koden er trukket tilbake.", cut.Find("[role=status]").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task OnlyKulturskolerAreOfferedAndACodeWithoutASchoolIsExplainedAtTheField()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Verdal kor", null, "Europe/Oslo", null));
        var university = await Catalogue.SchoolAsync(InstitutionKind.University);
        var kulturskole = await Catalogue.SchoolAsync(InstitutionKind.Kulturskola);
        SignIn(teacher);
        var cut = Render<EnsemblePage>(parameters => parameters.Add(p => p.EnsembleId, ensembleId));

        var options = cut.WaitForElements("#code-site option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains(kulturskole.ToString(System.Globalization.CultureInfo.InvariantCulture), options);
        Assert.DoesNotContain(university.ToString(System.Globalization.CultureInfo.InvariantCulture), options);
        cut.FindAll("button").Single(b => b.TextContent == "Lag en klassekode").Click();

        cut.WaitForAssertion(() => Assert.Equal("Velg hvilken kulturskole koden gjelder.", cut.Find("#code-site-problem").TextContent));
        Assert.Empty((await Catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).ClassCodes);
    }
}
