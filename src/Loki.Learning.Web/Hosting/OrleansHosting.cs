using System.Globalization;
using System.Net;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Storage;

namespace Loki.Learning.Web.Hosting;

public static class OrleansHosting
{
    /// Every silo of every node belongs to this service; <c>Cluster:ClusterId</c> tells installations apart.
    public const string ServiceId = "loki-learning";

    /// Where admins find the Orleans dashboard.
    public const string DashboardPath = "/admin/orleans";

    /// A silo in the same process. Configuration: <c>Cluster:Mode</c> (<c>Localhost</c>, the default: a cluster of
    /// this node alone, listening on loopback; <c>AdoNet</c>: every node on the same PostgreSQL database forms one
    /// cluster), <c>Cluster:SiloPort</c> (default 11111), <c>Cluster:ClusterId</c> and, with AdoNet,
    /// <c>Cluster:AdvertisedAddress</c> (default 127.0.0.1: the address other nodes dial) and <c>Cluster:Tls:*</c>
    /// (<see cref="ClusterTls"/>: without the cluster certificate a node in AdoNet mode does not start).
    /// No silo opens a client gateway: nothing connects to the cluster as an external Orleans client (the web app,
    /// the media engine and the dashboard all run inside a silo), so that port would only be a door for others.
    public static void AddLokiOrleans(this WebApplicationBuilder builder)
    {
        var settings = ClusterSettings.From(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);
        var tls = settings.Mode == ClusterMode.AdoNet ? ClusterTls.FromConfiguration(builder.Configuration, builder.Environment) : null;
        builder.Services.AddHostedService(services => new ClusterSecurityNotice(
            settings, tls, builder.Configuration["Cluster:GatewayPort"], services.GetRequiredService<ILogger<ClusterSecurityNotice>>()));

        builder.UseOrleans(silo =>
        {
            if (settings.Mode == ClusterMode.AdoNet)
            {
                silo.Configure<ClusterOptions>(options =>
                {
                    options.ServiceId = ServiceId;
                    options.ClusterId = settings.ClusterId;
                });
                silo.Configure<EndpointOptions>(options =>
                {
                    options.AdvertisedIPAddress = settings.AdvertisedAddress;
                    options.SiloPort = settings.SiloPort;
                    options.GatewayPort = 0;
                    options.GatewayListeningEndpoint = null;
                    // Loopback listens on loopback only (tests, one machine); a LAN address listens on every interface.
                    // (Not Orleans' ConfigureEndpoints: with listenOnAnyHostAddress it binds a gateway on 0.0.0.0:0, a
                    // random port on every interface, even when the gateway port is 0.)
                    options.SiloListeningEndpoint = IPAddress.IsLoopback(settings.AdvertisedAddress) ? null : new IPEndPoint(IPAddress.Any, settings.SiloPort);
                });
                silo.UseAdoNetClustering(options =>
                {
                    options.Invariant = ClusterSettings.Invariant;
                    options.ConnectionString = settings.ConnectionString;
                });
                silo.Configure<ClusterMembershipOptions>(TuneFailureDetection);
                silo.Configure<SiloMessagingOptions>(FailFast);
                tls?.Apply(silo);
            }
            else
            {
                // Loopback only and a cluster of one: no other process has a reason to talk to this silo.
                silo.UseLocalhostClustering(settings.SiloPort, gatewayPort: 0, serviceId: ServiceId, clusterId: settings.ClusterId);
            }
            // Room state in the shared PostgreSQL database, or in a single node's orleans.db so a restart keeps it.
            silo.AddAdoNetGrainStorage(RoomStateStorage.Name, options =>
            {
                options.Invariant = settings.Mode == ClusterMode.AdoNet ? ClusterSettings.Invariant : ClusterSettings.SqliteInvariant;
                options.ConnectionString = settings.ConnectionString;
            });
            silo.Services.WriteWithOrleansSerializer<AdoNetGrainStorageOptions>(RoomStateStorage.Name);
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddDashboard();
        });
    }

    /// One look at the start log tells an operator how this node's silo is protected.
    private sealed class ClusterSecurityNotice(ClusterSettings settings, ClusterTls? tls, string? gatewayPort, ILogger<ClusterSecurityNotice> logger) : IHostedService, IDisposable
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!string.IsNullOrEmpty(gatewayPort))
            {
                logger.LogWarning("Cluster:GatewayPort ({Port}) is no longer used: no node opens an Orleans client gateway. Remove the setting and close the port", gatewayPort);
            }
            if (settings.Mode == ClusterMode.Localhost)
            {
                return Task.CompletedTask;
            }
            if (tls is null)
            {
                logger.LogWarning("Cluster:Tls:Disabled: silo port {Port} speaks plain TCP and takes any process that reaches it as a cluster member; allow this only on a network nobody else is on", settings.SiloPort);
            }
            else
            {
                logger.LogInformation("Cluster traffic on silo port {Port} is TLS: this node is {Subject} (valid until {NotAfter:yyyy-MM-dd}); peers must show a certificate of {Authority}",
                    settings.SiloPort, tls.Certificate.Subject, tls.Certificate.NotAfter, tls.Authority.Subject);
                if (tls.Certificate.NotAfter - DateTime.Now < TimeSpan.FromDays(30))
                {
                    logger.LogWarning("This node's cluster certificate expires on {NotAfter:yyyy-MM-dd}: issue a new one (docs/operations.md, \"Cluster certificates\")", tls.Certificate.NotAfter);
                }
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => tls?.Dispose();
    }

    /// Live rooms need a dead node noticed within seconds: its participants must rejoin a room that is re-activated
    /// on a surviving node. Orleans' defaults (5 s probes, 60 s table refresh, 5 min heartbeats) are tuned for
    /// large clusters. With these, a killed node misses 3 probes 2 s apart (≈ 6 s) and is voted dead (Orleans asks
    /// fewer than 2 votes of a small cluster: with 2 nodes the survivor's suffices), and every node has read the death
    /// within the 5 s table refresh at the latest: well under 15 s (measured: about 5 s with 2 nodes; docs/operations.md).
    private static void TuneFailureDetection(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.NumMissedProbesLimit = 3;
        options.NumVotesForDeathDeclaration = 2;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        // Heartbeats in the table let a starting node skip silos that stopped long ago; 30 s keeps the writes cheap.
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(30);
        // Rows of dead silos are deleted after a day (the default is a week); restarts make a new row each time.
        options.DefunctSiloExpiration = TimeSpan.FromDays(1);
        options.DefunctSiloCleanupPeriod = TimeSpan.FromHours(1);
    }

    /// A call to a node that died is rejected as soon as the death is known; a call that is merely lost gives up
    /// after 10 s (default 30 s) so a page or a room never hangs on it.
    private static void FailFast(SiloMessagingOptions options)
    {
        options.ResponseTimeout = TimeSpan.FromSeconds(10);
        options.SystemResponseTimeout = TimeSpan.FromSeconds(10);
    }

    /// Room state kept in this silo's memory alone (the in-process test cluster).
    public static ISiloBuilder AddRoomStorageInMemory(this ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(RoomStateStorage.Name);
        silo.Services.WriteWithOrleansSerializer<MemoryGrainStorageOptions>(RoomStateStorage.Name);
        return silo;
    }

    /// Grain state written with Orleans' own serializer rather than the storage's default JSON: it knows the state's
    /// types by their [GenerateSerializer] contracts (records, immutable lists) and tolerates fields added later.
    private static void WriteWithOrleansSerializer<TOptions>(this IServiceCollection services, string storage)
        where TOptions : class, IStorageProviderSerializerOptions =>
        services.AddOptions<TOptions>(storage)
            .Configure<Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));

    public static IHealthChecksBuilder AddLokiHealthChecks(this IHealthChecksBuilder checks) =>
        checks.AddDbContextCheck<LokiDbContext>("database").AddCheck<SiloHealthCheck>("silo");

    /// <c>/health/cluster</c>: this silo and the active silos it sees, for operators and load balancers.
    /// <c>/admin/orleans</c>: the Orleans dashboard, for admins only.
    public static void MapLokiCluster(this WebApplication app)
    {
        app.MapGet("/health/cluster", async (IGrainFactory grains, ILocalSiloDetails local, CancellationToken cancellationToken) =>
            TypedResults.Ok(await ReadClusterAsync(grains, local, cancellationToken))).ExcludeFromDescription()
            .RequireAdminOutsideDevelopment(app.Environment);
        app.MapOrleansDashboard(routePrefix: DashboardPath).RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
    }

    /// The active silos as this node sees them.
    public static async Task<ClusterView> ReadClusterAsync(IGrainFactory grains, ILocalSiloDetails local, CancellationToken cancellationToken)
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        var silos = hosts
            .Select(h => new ClusterSilo(h.SiloAddress.ToParsableString(), h.SiloName, h.HostName, h.Status.ToString(), h.StartTime))
            .OrderBy(s => s.Address, StringComparer.Ordinal)
            .ToList();
        return new ClusterView(local.SiloAddress.ToParsableString(), silos.Count, silos);
    }

    /// <c>/health</c>: the one word (Healthy, Degraded, Unhealthy) for probes; asked for JSON, each check with its
    /// description and the cluster's membership as well.
    public static async Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        if (!context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(report.Status.ToString());
            return;
        }
        ClusterView? cluster = null;
        // Silo addresses map the cluster for an attacker: outside Development only an admin sees them.
        var mayMap = context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment() || context.User.IsInRole(Roles.Admin);
        try
        {
            cluster = !mayMap ? null : await ReadClusterAsync(context.RequestServices.GetRequiredService<IGrainFactory>(), context.RequestServices.GetRequiredService<ILocalSiloDetails>(), context.RequestAborted);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The silo check already says Unhealthy; the answer still lists what is known.
        }
        await context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
            cluster,
        });
    }

    /// Healthy when the silo answers a management call (it is up and has joined its cluster).
    private sealed class SiloHealthCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)") : HealthCheckResult.Unhealthy("no active silo");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("silo not reachable", exception);
            }
        }
    }
}

/// The grain storage that room grains persist their state in (<c>[PersistentState("room", RoomStateStorage.Name)]</c>):
/// PostgreSQL shared by the cluster in AdoNet mode, orleans.db beside the SQLite database on a single node.
public static class RoomStateStorage
{
    public const string Name = "rooms";
}

public sealed record ClusterView(string Silo, int ActiveSilos, IReadOnlyList<ClusterSilo> Silos);

public sealed record ClusterSilo(string Address, string Name, string HostName, string Status, DateTime StartTime);

public enum ClusterMode
{
    Localhost,
    AdoNet,
}

/// The <c>Cluster:*</c> settings, checked once when the host is built. <see cref="ConnectionString"/> is the
/// database of Orleans' tables: the shared PostgreSQL database (AdoNet) or the node's own orleans.db (Localhost).
/// The silo-to-silo TLS settings are <see cref="ClusterTls"/>'s.
public sealed record ClusterSettings(ClusterMode Mode, string ClusterId, int SiloPort, IPAddress AdvertisedAddress, string ConnectionString)
{
    /// The ADO.NET provider Orleans loads for PostgreSQL.
    public const string Invariant = "Npgsql";

    /// The name Orleans 10.4 knows SQLite by; it loads Microsoft.Data.Sqlite's factory for it (the package the
    /// app already uses for its own database).
    public const string SqliteInvariant = "System.Data.SQLite";

    public static ClusterSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var mode = configuration["Cluster:Mode"] switch
        {
            null or "" => ClusterMode.Localhost,
            var value when Enum.TryParse<ClusterMode>(value, ignoreCase: true, out var parsed) => parsed,
            var value => throw new SetupProblem(SettingsCheck.Problem("Cluster:Mode", "Localhost or AdoNet", value)),
        };
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(DataHosting.SqliteFile(configuration, environment)))!, "orleans.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        if (mode == ClusterMode.AdoNet)
        {
            if (DatabaseProviders.Parse(configuration["Database:Provider"]) != DatabaseProvider.Postgres)
            {
                throw new SetupProblem("Cluster:Mode AdoNet needs Database:Provider Postgres: the nodes meet in the shared database.");
            }
            connectionString = configuration.GetConnectionString("Loki")
                ?? throw new SetupProblem("Cluster:Mode is AdoNet but ConnectionStrings:Loki is not set.");
        }
        var advertised = configuration["Cluster:AdvertisedAddress"] is { Length: > 0 } address
            ? IPAddress.TryParse(address, out var ip) ? ip : throw new SetupProblem(SettingsCheck.Problem("Cluster:AdvertisedAddress", "an IP address (the one other nodes dial)", address))
            : IPAddress.Loopback;
        var siloPort = configuration["Cluster:SiloPort"] is { Length: > 0 } port
            ? int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && SettingsCheck.IsPort(number, lowest: 1)
                ? number
                : throw new SetupProblem(SettingsCheck.Problem("Cluster:SiloPort", "a TCP port from 1 to 65535", port))
            : EndpointOptions.DEFAULT_SILO_PORT;
        return new ClusterSettings(
            mode,
            configuration["Cluster:ClusterId"] ?? "loki-dev",
            siloPort,
            advertised,
            connectionString);
    }
}
