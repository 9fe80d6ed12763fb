using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.Materials;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Notices;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Hosting;

public static class DataHosting
{
    /// Configuration: <c>Database:Provider</c> (<c>Sqlite</c>, the default, or <c>Postgres</c>), <c>Database:Path</c>
    /// (SQLite file, default App_Data/loki.db under the content root; with PostgreSQL the folder beside it still holds
    /// files unless configured), <c>ConnectionStrings:Loki</c> (PostgreSQL), <c>Scores:Path</c> (uploaded score
    /// files, default a "scores" folder beside the SQLite file) and <c>Materials:Path</c> (course material files,
    /// default a "materials" folder beside it).
    public static void AddLokiData(this WebApplicationBuilder builder)
    {
        var fullPath = SqliteFile(builder.Configuration, builder.Environment);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var provider = DatabaseProviders.Parse(builder.Configuration["Database:Provider"]);
        if (provider == DatabaseProvider.Postgres)
        {
            var connectionString = builder.Configuration.GetConnectionString("Loki")
                ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Loki is not set.");
            builder.Services.AddDbContextFactory<PostgresLokiDbContext>(options => options.UseNpgsql(connectionString));
            builder.Services.AddSingleton<IDbContextFactory<LokiDbContext>>(sp =>
                new PostgresFactory(sp.GetRequiredService<IDbContextFactory<PostgresLokiDbContext>>()));
        }
        if (builder.Configuration["Scores:Path"] is { Length: > 0 } scores)
        {
            builder.Services.AddSingleton(new ScoreStorage(Path.IsPathRooted(scores) ? scores : Path.Combine(builder.Environment.ContentRootPath, scores)));
        }
        if (builder.Configuration["Materials:Path"] is { Length: > 0 } materials)
        {
            builder.Services.AddLokiMaterials(Path.IsPathRooted(materials) ? materials : Path.Combine(builder.Environment.ContentRootPath, materials));
        }
        builder.Services.AddLokiDatabase(fullPath);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SeedLoader>();
        builder.Services.AddLokiDataProtection();
    }

    /// The keys that protect sign-in cookies, antiforgery tokens and room audio tokens live in the database, so
    /// every node of a cluster reads what another node wrote (and a restart keeps everyone signed in).
    public static IServiceCollection AddLokiDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName("Loki.Learning")
            .PersistKeysToDbContext<LokiDbContext>();
        return services;
    }

    /// The SQLite file (<c>Database:Path</c>, relative to the content root); its folder holds the node's other files.
    public static string SqliteFile(IConfiguration configuration, IHostEnvironment environment)
    {
        var path = configuration["Database:Path"] ?? "App_Data/loki.db";
        return Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path);
    }

    /// The database alone, for the host and for silos and tools that share its file.
    /// With a PostgreSQL factory already registered, <paramref name="sqliteFile"/> only places the folders beside it.
    public static IServiceCollection AddLokiDatabase(this IServiceCollection services, string sqliteFile)
    {
        if (!services.Any(d => d.ServiceType == typeof(IDbContextFactory<LokiDbContext>)))
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = sqliteFile, Pooling = true, DefaultTimeout = 30 }.ToString();
            services.AddDbContextFactory<LokiDbContext>(options => options.UseSqlite(connectionString));
        }
        // Identity's stores want a scoped context; it comes from the same factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContext());
        // Score files live beside the database unless configured elsewhere (the first registration wins).
        services.TryAddSingleton(new ScoreStorage(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sqliteFile))!, "scores")));
        services.AddLokiMaterials(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sqliteFile))!, "materials"));
        // E-mails go to an outbox folder beside the database unless Mail:Smtp:Host names a server.
        services.TryAddSingleton(sp => MailOptions.From(
            sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build(), Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sqliteFile))!, "outbox")));
        services.TryAddSingleton<Mailer>();
        services.AddCheckedSettings<SiteOptions>(SiteOptions.Section);
        services.TryAddSingleton(sp => SiteInfo.From(sp.GetRequiredService<IOptions<SiteOptions>>().Value));
        services.TryAddSingleton(sp => PublicAddress.From(sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build()));
        services.TryAddSingleton<IMailer>(sp => sp.GetRequiredService<Mailer>());
        services.TryAddSingleton<RegistrationMails>();
        // The owners of meetings, rooms, scores and recordings, each registered by its kind; one policy over them.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMeetingOwnerKind, CourseOwners>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMeetingOwnerKind, EnsembleOwners>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMeetingOwnerKind, WorkshopOwners>());
        services.TryAddSingleton<MeetingOwners>();
        if (!services.Any(d => d.ImplementationInstance is OwnerSection { Component: var section } && section == typeof(ScoresSection)))
        {
            services.AddSingleton(new OwnerSection(typeof(ScoresSection), Order: 10));
        }
        return services;
    }

    /// Applies migrations, turns on WAL (a kill mid-write cannot corrupt the file), loads demo data once and, in a
    /// cluster, lays out Orleans' tables. On PostgreSQL all of it runs under a lock shared by the nodes (see
    /// <see cref="StartLock"/>), so nodes starting together neither race nor seed twice.
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var startLock = await StartLock.TakeAsync(app.Configuration);
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            if (db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }
        }
        await app.Services.GetRequiredService<SeedLoader>().LoadAsync();
        await OrleansSchema.ApplyAsync(ClusterSettings.From(app.Configuration, app.Environment), startLock);
        // The first node makes the key ring, under the lock; the others find it instead of each making their own.
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Loki.Learning.Start").Protect("ready"u8.ToArray());
    }

    /// Hands out PostgreSQL contexts where the code asks for the model's context.
    private sealed class PostgresFactory(IDbContextFactory<PostgresLokiDbContext> inner) : IDbContextFactory<LokiDbContext>
    {
        public LokiDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public static class DatabaseProviders
{
    public static DatabaseProvider Parse(string? value) => value switch
    {
        null or "" => DatabaseProvider.Sqlite,
        _ when Enum.TryParse<DatabaseProvider>(value, ignoreCase: true, out var provider) => provider,
        _ => throw new InvalidOperationException($"Database:Provider must be Sqlite or Postgres, not '{value}'."),
    };
}
