using System.Net;
using System.Net.Sockets;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.Video;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loki.Learning.E2E.Hosting;

/// The real platform, started in-process with Kestrel on a free loopback port, on its own SQLite file
/// and Orleans ports so that it never meets another host running on the machine.
public sealed class LokiApp : IAsyncLifetime
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"loki-e2e-{Guid.NewGuid():N}.db");
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = default!;

    /// More settings over the defaults below (a proxy in front, a public address).
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        var (siloPort, _) = TwoFreePorts();
        var settings = new Dictionary<string, string?>
        {
            ["Database:Path"] = _databasePath,
            ["Cluster:SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster:ClusterId"] = $"loki-e2e-{Guid.NewGuid():N}",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
            // The node's JackTrip hub on ports the system picks, loopback only.
            ["Media:BindAddress"] = "127.0.0.1",
            ["Media:JackTripPort"] = "0",
            ["Media:UdpBasePort"] = "0",
        };
        // Janus offers 127.0.0.1 only and sends media to 127.0.0.0/8 only (docs/decisions/0009).
        foreach (var (key, value) in LoopbackOnlyVideo.Settings())
        {
            settings[key] = value;
        }
        // The application name and content root point at the web project's build output, which the test
        // output contains: static assets, appsettings.json and seed-data are found there, not under testhost.
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Development",
            "--applicationName", typeof(LokiHost).Assembly.GetName().Name!,
            "--contentRoot", AppContext.BaseDirectory,
        ];
        _app = LokiHost.Build(args, builder => builder.Configuration.AddInMemoryCollection(settings).AddInMemoryCollection(Settings));
        if (!_app.Environment.IsDevelopment())
        {
            throw new InvalidOperationException($"The app runs as '{_app.Environment.EnvironmentName}'; demo logins only work in Development.");
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _app.PrepareDatabaseAsync();
        await _app.StartAsync();
        Console.WriteLine($"NODE started in {clock.Elapsed.TotalSeconds:F1} s");

        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        BaseAddress = new Uri(addresses.Single().TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await _app.StopAsync();
            await _app.DisposeAsync();
            Console.WriteLine($"NODE stopped in {clock.Elapsed.TotalSeconds:F1} s");
        }
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_databasePath + suffix);
        }
    }

    /// Reads the app's database directly: to find seeded ids and to check that a refused action wrote nothing.
    public async Task<T> QueryAsync<T>(Func<LokiDbContext, Task<T>> query)
    {
        var dbFactory = _app!.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        return await query(db);
    }

    public T Service<T>() where T : notnull => _app!.Services.GetRequiredService<T>();

    public Task<Guid> CourseIdAsync(string title) => QueryAsync(db => db.Courses.Where(c => c.Title == title).Select(c => c.Id).SingleAsync());

    public Task<Guid> EnsembleIdAsync(string name) => QueryAsync(db => db.Ensembles.Where(e => e.Name == name).Select(e => e.Id).SingleAsync());

    /// Both listeners are held open together so the two ports differ; they are released just before the silo binds them.
    private static (int Silo, int Gateway) TwoFreePorts()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        try
        {
            return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
        }
        finally
        {
            first.Stop();
            second.Stop();
        }
    }
}
