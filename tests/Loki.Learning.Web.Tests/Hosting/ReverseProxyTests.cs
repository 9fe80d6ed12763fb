using System.Net;
using Loki.Learning.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Hosting;

/// A node behind a proxy on this machine (127.0.0.1) that terminates HTTPS for https://school.test.
public sealed class ProxiedNode : IAsyncLifetime
{
    public RunningApp App { get; } = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Proxy:KnownProxies"] = "127.0.0.1",
            ["Site:PublicUrl"] = "https://school.test/",
        },
    };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// A node whose configured proxy is another machine: whatever 127.0.0.1 forwards is a stranger's claim.
public sealed class NodeWithAnotherProxy : IAsyncLifetime
{
    public RunningApp App { get; } = new() { Settings = new Dictionary<string, string?> { ["Proxy:KnownProxies"] = "10.0.0.2" } };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

public sealed class ReverseProxyTests(ProxiedNode proxied, NodeWithAnotherProxy elsewhere) : IClassFixture<ProxiedNode>, IClassFixture<NodeWithAnotherProxy>
{
    private static async Task<Guid> PublishedEventAsync(RunningApp app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await db.Workshops.Where(w => w.Published).Select(w => w.Id).FirstAsync();
    }

    private static HttpRequestMessage Forwarded(HttpMethod method, Uri uri, string proto, string host)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("X-Forwarded-Proto", proto);
        request.Headers.Add("X-Forwarded-Host", host);
        request.Headers.Add("X-Forwarded-For", "192.0.2.40");
        return request;
    }

    [Fact]
    public async Task BehindTheConfiguredProxyLinksUseThePublicSchemeAndHostAndHstsIsSent()
    {
        var eventId = await PublishedEventAsync(proxied.App);
        using var client = proxied.App.Client();

        var response = await client.SendAsync(Forwarded(HttpMethod.Get, new Uri(proxied.App.Address, $"events/{eventId}.ics"), "https", "school.test"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calendar = (await response.Content.ReadAsStringAsync()).Replace("\r\n ", "", StringComparison.Ordinal);
        Assert.Contains($"https://school.test/events/{eventId}", calendar, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", calendar, StringComparison.Ordinal);
        Assert.Contains("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlainHttpRequestThroughTheProxyIsSentToTheHttpsAddress()
    {
        using var client = proxied.App.Client();

        var response = await client.SendAsync(Forwarded(HttpMethod.Get, new Uri(proxied.App.Address, "events"), "http", "school.test"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri("https://school.test/events"), response.Headers.Location);
    }

    [Fact]
    public async Task ForwardedHeadersFromAnAddressThatIsNotTheConfiguredProxyAreIgnored()
    {
        var eventId = await PublishedEventAsync(elsewhere.App);
        using var client = elsewhere.App.Client();

        // 127.0.0.1 claims to forward for https://evil.example: ASP.NET Core's own default would believe loopback.
        var response = await client.SendAsync(Forwarded(HttpMethod.Get, new Uri(elsewhere.App.Address, $"events/{eventId}.ics"), "https", "evil.example"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calendar = (await response.Content.ReadAsStringAsync()).Replace("\r\n ", "", StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", calendar, StringComparison.Ordinal);
        Assert.Contains($"{elsewhere.App.Address}events/{eventId}", calendar, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
