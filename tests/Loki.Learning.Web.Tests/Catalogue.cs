using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.Rooms;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Loki.Learning.Web.Tests;

/// A real SQLite file, migrated, and an Orleans in-process test cluster whose grains use it.
/// Messages go through the same Mediator pipeline as in the app. Tests make their own people and
/// courses with unique names, so they do not depend on each other.
public sealed class Catalogue : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-catalogue-").FullName;
    private ServiceProvider? _services;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public string DatabaseFile => Path.Combine(_folder, "loki.db");

    public InProcessTestCluster Cluster { get; private set; } = default!;

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("not started");

    public IMediator Mediator => Services.GetRequiredService<IMediator>();

    /// The silo's media engine host (one silo: every room's audio is here).
    public RoomMedia Media => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<RoomMedia>();

    /// The silo's sink of room events, and a subscriber that keeps every event it got.
    public RoomEventSink Events => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<RoomEventSink>();

    public RoomEventLog EventLog => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<RoomEventLog>();

    public IDbContextFactory<LokiDbContext> Db => Services.GetRequiredService<IDbContextFactory<LokiDbContext>>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddRoomStorageInMemory());
        builder.ConfigureSiloHost((_, host) =>
        {
            // A real media engine on loopback, on ports the system picks, so several clusters can run at once.
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Media:BindAddress"] = "127.0.0.1",
                ["Media:JackTripPort"] = "0",
                ["Media:UdpBasePort"] = "0",
            });
            AddCatalogueServices(host.Services);
            host.Services.AddLokiRoomNode();
            host.Services.AddSingleton<RoomEventLog>();
            host.Services.AddSingleton<IRoomEventSubscriber>(sp => sp.GetRequiredService<RoomEventLog>());
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        var services = new ServiceCollection();
        AddCatalogueServices(services);
        services.AddSingleton<IGrainFactory>(Cluster.Client);
        services.AddSingleton(Media);
        services.AddLokiRoomAudioTokens();
        // The video messages' services (no Janus is started here: the video tests use a running node).
        services.TryAddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLokiVideoServices(Path.Combine(_folder, "janus"));
        services.AddLokiMessages();
        _services = services.BuildServiceProvider();

        await using var db = await Db.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        using var scope = Services.CreateScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            await roles.CreateAsync(new IdentityRole(role));
        }
    }

    private void AddCatalogueServices(IServiceCollection services)
    {
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddLokiDatabase(DatabaseFile);
        services.AddLokiPeople();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLokiRecordingNode(RecordingFolder);
        services.AddLocalization();
    }

    /// Where both the silo's recorders and the handlers find recordings.
    public string RecordingFolder => Path.Combine(_folder, "recordings");

    /// Creates an account with one role and returns it as the actor that messages carry.
    public async Task<Actor> PersonAsync(string role, string? displayName = null)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var name = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20];
        var person = new Person { UserName = name, Email = $"{name}@test.local", DisplayName = displayName ?? name };
        var created = await users.CreateAsync(person, "correct-horse-battery");
        Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(person, role);
        return new Actor(person.Id, new HashSet<string> { role });
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

[CollectionDefinition(nameof(CatalogueCollection))]
public sealed class CatalogueCollection : ICollectionFixture<Catalogue>;
