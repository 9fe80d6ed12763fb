using Bunit;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Tests.Ensembles;

namespace Loki.Learning.Web.Tests.Pages;

[Collection(nameof(CatalogueCollection))]
public sealed class JoinPageTests(Catalogue catalogue) : PageContext(catalogue, "sv")
{
    [Fact]
    public void AWrongClassCodeIsExplainedInSwedish()
    {
        var cut = Render<JoinPage>();

        cut.Find("#join-code").Change("ZZZZ9999");
        cut.Find("#join-name").Change("Vera");
        cut.FindAll("button").Single(b => b.TextContent == "Ansök").Click();

        cut.WaitForAssertion(() => Assert.Equal("Klasskoden är inte giltig. Kontrollera den med din lärare.", cut.Find("[role=alert]").TextContent));
    }

    [Fact]
    public async Task AfterTooManyTriesFromOneAddressThePageAsksToWaitAndSendsNothing()
    {
        Limits.ClassCode.PermitLimit = 2;
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Jämtlands blåsare", null, "Europe/Stockholm", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await Catalogue.SchoolAsync()));
        var cut = Render<JoinPage>();
        cut.Find("#join-name").Change("Vera");
        foreach (var guess in new[] { "ZZZZ9998", "ZZZZ9999" })
        {
            cut.Find("#join-code").Change(guess);
            cut.FindAll("button").Single(b => b.TextContent == "Ansök").Click();
            cut.WaitForAssertion(() => Assert.Equal("Klasskoden är inte giltig. Kontrollera den med din lärare.", cut.Find("[role=alert]").TextContent));
        }

        // The right code, but the address has had its tries.
        cut.Find("#join-code").Change(code.Code);
        cut.FindAll("button").Single(b => b.TextContent == "Ansök").Click();

        cut.WaitForAssertion(() => Assert.Equal("För många försök från det här nätverket. Försök igen om några minuter.", cut.Find("[role=alert]").TextContent));
        Assert.Empty((await Catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).PendingRequests);
    }

    [Fact]
    public async Task ARightCodeSendsTheRequestAndNamesTheEnsemble()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Jämtlands gitarrensemble", null, "Europe/Stockholm", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await Catalogue.SchoolAsync()));
        var cut = Render<JoinPage>();

        cut.Find("#join-code").Change(code.Code);
        cut.Find("#join-name").Change("Vera");
        cut.FindAll("button").Single(b => b.TextContent == "Ansök").Click();

        cut.WaitForAssertion(() => Assert.Contains("Jämtlands gitarrensemble", cut.Find("[role=status]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Du blir elev vid Kulturskola ", cut.Find("[role=status]").TextContent, StringComparison.Ordinal);
        var details = await Catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId));
        Assert.Equal(["Vera"], details.PendingRequests.Select(r => r.DisplayName));
    }

    [Fact]
    public async Task ARevokedCodeIsExplainedInSwedishAndSendsNothing()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Sundsvalls stråkar", null, "Europe/Stockholm", null));
        var code = await Catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await Catalogue.SchoolAsync()));
        await Catalogue.Mediator.Send(new RevokeClassCode(teacher, ensembleId, code.Code));
        var cut = Render<JoinPage>();

        cut.Find("#join-code").Change(code.Code);
        cut.Find("#join-name").Change("Vera");
        cut.FindAll("button").Single(b => b.TextContent == "Ansök").Click();

        cut.WaitForAssertion(() => Assert.Equal("Din lärare har dragit tillbaka klasskoden. Be hen om en ny.", cut.Find("[role=alert]").TextContent));
        Assert.Empty(cut.FindAll("[role=status]"));
        Assert.Empty((await Catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId))).PendingRequests);
    }
}
