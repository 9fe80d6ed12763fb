using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Data.Sqlite;

namespace Loki.Learning.Web.Tests.People;

/// A database that once ran in Development holds the demo passwords the README publishes. Started in Production, the
/// same database must not let a demo account in by any path: password (API and form), refresh token, bearer token
/// or cookie issued while it ran in Development.
public sealed class DemoAccountTests : IDisposable
{
    private const string Admin = "admin@demo.loki.local";
    private const string AdminPassword = "Demo-admin-2026";

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-demo-").FullName;

    [Fact]
    public async Task DemoAccountsThatSignedInUnderDevelopmentAreRefusedEveryWayOnceTheDatabaseRunsInProduction()
    {
        string accessToken, refreshToken, cookieHeader;
        var development = Node("Development");
        try
        {
            await development.InitializeAsync();
            var login = await development.Client().PostAsJsonAsync("api/auth/login", new { email = Admin, password = AdminPassword });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var tokens = (await login.Content.ReadFromJsonAsync<JsonObject>())!;
            accessToken = tokens["accessToken"]!.GetValue<string>();
            refreshToken = tokens["refreshToken"]!.GetValue<string>();

            var cookies = new CookieContainer();
            using var browser = LoginForm.ClientFrom(development.Address, IPAddress.Loopback, cookies);
            var form = await LoginForm.PostAsync(browser, Admin, AdminPassword);
            Assert.Equal(HttpStatusCode.Redirect, form.StatusCode);
            cookieHeader = cookies.GetCookieHeader(development.Address);
            Assert.Contains("loki.auth=", cookieHeader, StringComparison.Ordinal);
            // In Development all of it works, including the admin-only dashboard.
            Assert.Equal(HttpStatusCode.OK, (await WithToken(development, accessToken).GetAsync("admin/orleans/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await WithCookie(development, cookieHeader).GetAsync("api/courses")).StatusCode);
        }
        finally
        {
            await development.DisposeAsync();
        }

        var production = Node("Production");
        try
        {
            await production.InitializeAsync();

            var apiLogin = await production.Client().PostAsJsonAsync("api/auth/login", new { email = Admin, password = AdminPassword });
            var refresh = await production.Client().PostAsJsonAsync("api/auth/refresh", new { refreshToken });
            var dashboard = await WithToken(production, accessToken).GetAsync("admin/orleans/");
            var courses = await WithToken(production, accessToken).GetAsync("api/courses");
            var withCookie = await WithCookie(production, cookieHeader).GetAsync("api/courses");
            var cookies = new CookieContainer();
            using var browser = LoginForm.ClientFrom(production.Address, IPAddress.Loopback, cookies);
            var form = await LoginForm.PostAsync(browser, Admin, AdminPassword);

            Assert.Equal(HttpStatusCode.Unauthorized, apiLogin.StatusCode);
            Assert.Equal("Failed", (await apiLogin.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, courses.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, withCookie.StatusCode);
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("role=\"alert\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain("loki.auth=", cookies.GetCookieHeader(production.Address), StringComparison.Ordinal);
        }
        finally
        {
            await production.DisposeAsync();
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private RunningApp Node(string environment) =>
        new() { Environment = environment, Settings = new Dictionary<string, string?> { ["Database:Path"] = Path.Combine(_folder, "loki.db") } };

    private static HttpClient WithToken(RunningApp app, string token)
    {
        var client = app.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// A browser that kept its cookie from before: sent as it was, whatever port the server now listens on.
    private static HttpClient WithCookie(RunningApp app, string cookieHeader)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Address };
        client.DefaultRequestHeaders.Add("Cookie", cookieHeader);
        return client;
    }
}
