using Bunit;
using Loki.Learning.Web.Features.Notices;
using Loki.Learning.Web.Features.Recordings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Tests.Pages;

public abstract class InfoPageContext(Catalogue catalogue, string culture) : PageContext(catalogue, culture)
{
    /// /info as the node serves it, with the privacy part recordings contribute and the given settings.
    protected IRenderedComponent<InfoPage> RenderInfo(int retentionDays, SiteOptions site)
    {
        Services.AddSingleton(SiteInfo.From(site));
        Services.AddSingleton(Options.Create(new RecordingOptions { DefaultRetentionDays = retentionDays }));
        Services.AddSingleton(new InfoSection(typeof(RecordingPrivacy), Order: 10));
        return Render<InfoPage>();
    }

    protected static SiteOptions Site(string? email = "personvern@kulturskolen.example") => new()
    {
        Name = "Loki at Steinkjer",
        Contact = new SiteContact { Organization = "Steinkjer kulturskole", Email = email },
    };
}

[Collection(nameof(CatalogueCollection))]
public sealed class InfoPageTests(Catalogue catalogue) : InfoPageContext(catalogue, "nb")
{
    [Fact]
    public void ThePrivacyStatementSaysWhoKeepsWhatForHowLongAndWhomToAsk()
    {
        var cut = RenderInfo(45, Site());

        cut.WaitForAssertion(() =>
        {
            var privacy = cut.Find("section[aria-labelledby=privacy]");
            Assert.Equal("Personvern", privacy.QuerySelector("h2")!.TextContent);
            Assert.Contains("Steinkjer kulturskole driver dette nettstedet", privacy.TextContent, StringComparison.Ordinal);
            Assert.Contains("om en foresatt har samtykket til opptak", privacy.TextContent, StringComparison.Ordinal);
            Assert.Contains("Opptak er private", privacy.TextContent, StringComparison.Ordinal);
            Assert.Contains("Opptak slettes automatisk 45 dager etter", privacy.TextContent, StringComparison.Ordinal);
            Assert.Equal("mailto:personvern@kulturskolen.example", privacy.QuerySelector("a[href^=mailto]")!.GetAttribute("href"));
        });
    }

    [Fact]
    public void OneDayOfRetentionIsSaidInTheSingularAndWithoutAContactTheTeacherIsWhomToAsk()
    {
        var cut = RenderInfo(1, Site(email: null));

        cut.WaitForAssertion(() =>
        {
            var privacy = cut.Find("section[aria-labelledby=privacy]");
            Assert.Contains("Opptak slettes automatisk 1 dag etter", privacy.TextContent, StringComparison.Ordinal);
            Assert.Contains("spør læreren din", privacy.TextContent, StringComparison.Ordinal);
            Assert.Null(privacy.QuerySelector("a[href^=mailto]"));
        });
    }
}

[Collection(nameof(CatalogueCollection))]
public sealed class InfoPageInSwedishTests(Catalogue catalogue) : InfoPageContext(catalogue, "sv")
{
    [Fact]
    public void ThePrivacyStatementReadsTheConfiguredRetentionInSwedish()
    {
        var cut = RenderInfo(365, Site());

        cut.WaitForAssertion(() => Assert.Contains("Inspelningar raderas automatiskt 365 dagar efter", cut.Find("section[aria-labelledby=privacy]").TextContent, StringComparison.Ordinal));
    }
}
