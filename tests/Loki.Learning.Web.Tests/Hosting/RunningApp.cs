using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Hosting;

/// The real host, as Program.cs builds it, on a free loopback port with its own SQLite file and silo ports.
public sealed class RunningApp : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-app-").FullName;
    private WebApplication? _app;

    public string Environment { get; init; } = "Development";

    /// More settings, over the defaults below (e.g. another database provider).
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public Uri Address { get; private set; } = default!;

    public string DatabaseFile => Path.Combine(_folder, "loki.db");

    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        _app = LokiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", Environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Path"] = DatabaseFile,
                ["Cluster:SiloPort"] = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Cluster:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
                ["Logging:LogLevel:Default"] = "Warning",
                ["Media:BindAddress"] = "127.0.0.1",
                ["Media:JackTripPort"] = "0",
                ["Media:UdpBasePort"] = "0",
                // These tests reach into the engine (RoomMedia.Engine) and cover the in-process mode; the node's default,
                // the engine in a child process, has its own tests (Rooms/EngineProcess) and runs under every e2e test.
                ["Media:Process"] = "InProcess",
            });
            builder.Configuration.AddInMemoryCollection(Settings);
        });
        await _app.PrepareDatabaseAsync();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address + "/");
    }

    public HttpClient Client(string? culture = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = Address };
        if (culture is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);
        }
        return client;
    }

    /// A client signed in through the auth API, carrying its bearer token.
    public async Task<HttpClient> SignedInAsync(string email, string password, string? culture = null)
    {
        var client = Client(culture);
        var login = await client.PostAsJsonAsync("api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// Signed in as above, with the bearer token itself for what sends it elsewhere (a WebSocket's header).
    public async Task<(HttpClient Client, string Bearer)> SignedInWithBearerAsync(string email, string password)
    {
        var client = await SignedInAsync(email, password);
        return (client, client.DefaultRequestHeaders.Authorization!.Parameter!);
    }

    /// A client signed in as a browser is: with the sign-in cookie, which its cookie container sends from then on.
    public async Task<HttpClient> SignedInWithCookieAsync(string email, string password)
    {
        var client = Client();
        var login = await client.PostAsJsonAsync("api/auth/login?useCookies=true", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
