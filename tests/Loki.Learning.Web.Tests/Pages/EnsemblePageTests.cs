using Bunit;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Tests.Pages;

[Collection(nameof(CatalogueCollection))]
public sealed class EnsemblePageTests(Catalogue catalogue) : PageContext(catalogue, "nb")
{
    [Fact]
    public async Task ApprovingShowsThePupilsLoginOnce()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Steinkjer strykere", null, "Europe/Oslo", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, null));
        await Catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Ola", "Bratsj", false));
        SignIn(teacher);
        var cut = Render<EnsemblePage>(parameters => parameters.Add(p => p.EnsembleId, ensembleId));

        cut.WaitForElement("button[aria-label='Godkjenn Ola']").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.StartsWith("ola-", cut.Find("[data-testid=pupil-username]").TextContent, StringComparison.Ordinal);
            Assert.Matches(@"^[a-z]+-[a-z]+-[a-z]+-[a-z]+-\d\d$", cut.Find("[data-testid=pupil-password]").TextContent);
            Assert.Contains("Ola", cut.Find("tbody").TextContent, StringComparison.Ordinal);
        });

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
}
