using System.Net;
using System.Net.Http.Headers;

namespace Loki.Learning.Web.Tests.Hosting;

/// An address that leads nowhere: a page in the reader's language with status 404 and a way back for a browser;
/// ProblemDetails JSON for the API.
public sealed class UnknownAddressTests(RunningApp app) : IClassFixture<RunningApp>
{
    [Theory]
    [InlineData("sv", "Hittades inte")]
    [InlineData("nb", "Ikke funnet")]
    [InlineData("en", "Not found")]
    public async Task ABrowserGetsAPageInItsLanguageWithStatus404AndAWayBack(string culture, string heading)
    {
        var browser = app.Client(culture);
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");

        var response = await browser.GetAsync("no/such/page");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<h1>{heading}</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheApiKeepsProblemDetails()
    {
        var client = app.Client("en");
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var response = await client.GetAsync("api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
