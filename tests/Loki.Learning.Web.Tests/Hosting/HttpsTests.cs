using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Hosting;

/// A node that serves HTTPS itself, with a certificate from the platform's own `certificate` command for school.test.
public sealed class HttpsNode : IAsyncLifetime
{
    public string CertificateFolder { get; } = Directory.CreateTempSubdirectory("loki-https-").FullName;

    public int HttpsPort { get; } = NodeProcess.FreePort();

    public int HttpPort { get; } = NodeProcess.FreePort();

    public RunningApp App { get; private set; } = default!;

    public X509Certificate2 Authority { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        var issued = LocalCertificates.Issue(CertificateFolder, ["school.test"], DateTimeOffset.UtcNow);
        Authority = X509CertificateLoader.LoadCertificate(issued.Authority.RawData);
        App = new RunningApp
        {
            Settings = new Dictionary<string, string?>
            {
                ["urls"] = $"https://127.0.0.1:{HttpsPort};http://127.0.0.1:{HttpPort}",
                ["Kestrel:Certificates:Default:Path"] = issued.ServerPath,
                ["Kestrel:Certificates:Default:KeyPath"] = issued.ServerKeyPath,
            },
        };
        await App.InitializeAsync();
    }

    /// A client that reaches school.test at 127.0.0.1 (as a LAN's DNS would) and trusts only the school's authority.
    public HttpClient SchoolClient(CookieContainer? cookies = null) => HttpsClients.Trusting(Authority, cookies);

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Authority.Dispose();
        Directory.Delete(CertificateFolder, recursive: true);
    }
}

public static class HttpsClients
{
    /// Every host name resolves to 127.0.0.1; certificates are checked against <paramref name="authority"/> alone
    /// (none at all when it is null); redirects are not followed, so tests see them.
    public static HttpClient Trusting(X509Certificate2? authority, CookieContainer? cookies = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = authority is null ? null : new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { authority },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}

public sealed class HttpsTests(HttpsNode node) : IClassFixture<HttpsNode>
{
    private Uri Secure(string path) => new($"https://school.test:{node.HttpsPort}/{path}");

    private Uri Plain(string path) => new($"http://school.test:{node.HttpPort}/{path}");

    [Fact]
    public async Task TheSiteAnswersOverHttpsWithTheCertificateTheSchoolsComputersTrustAndSendsHsts()
    {
        using var client = node.SchoolClient();

        var response = await client.GetAsync(Secure("info"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var hsts = Assert.Single(response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Equal("max-age=31536000", hsts);
    }

    [Fact]
    public async Task PlainHttpIsRedirectedToTheHttpsAddressButHealthProbesAreNot()
    {
        using var client = node.SchoolClient();

        var page = await client.GetAsync(Plain("events?x=1"));
        var health = await client.GetAsync(Plain("health"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, page.StatusCode);
        Assert.Equal(Secure("events?x=1"), page.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task TheSignInCookieIsSecure()
    {
        using var client = node.SchoolClient();

        var login = await client.PostAsJsonAsync(Secure("api/auth/login?useCookies=true"), new { email = "teacher@demo.loki.local", password = "Demo-teacher-2026" });

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("loki.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LinksTheNodeHandsOutUseItsHttpsAddress()
    {
        var eventId = await node.App.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContext()
            .Workshops.Where(w => w.Published).Select(w => w.Id).FirstAsync();
        using var client = node.SchoolClient();

        // Unfolded: iCalendar wraps long lines.
        var calendar = (await client.GetStringAsync(Secure($"events/{eventId}.ics"))).Replace("\r\n ", "", StringComparison.Ordinal);

        Assert.Contains($"https://school.test:{node.HttpsPort}/events/{eventId}", calendar, StringComparison.Ordinal);
        Assert.DoesNotContain("http://school.test", calendar, StringComparison.Ordinal);
    }
}
