using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Loki.Learning.Web.Tests.Hosting;

/// The same host on PostgreSQL, chosen with the documented `Loki:`-prefixed setting: migrated with PostgreSQL's own
/// migrations, seeded, and serving the same API.
public sealed class PostgresHostTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private RunningApp _app = default!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("loki_" + Guid.NewGuid().ToString("N")[..8]);
        _app = new RunningApp
        {
            Settings = new Dictionary<string, string?>
            {
                ["Loki:Database:Provider"] = "Postgres",
                ["ConnectionStrings:Loki"] = _connectionString,
            },
        };
        await _app.InitializeAsync();
    }

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task TheHostMigratesAndSeedsPostgresAndServesTheSameApi()
    {
        Assert.Equal("Healthy", await _app.Client().GetStringAsync("health"));
        var lecturer = await _app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");

        var created = await lecturer.PostAsJsonAsync("api/courses", new { title = "Counterpoint on PostgreSQL", capacity = 12, timeZoneId = "Europe/Oslo" });
        var courses = await lecturer.GetFromJsonAsync<JsonArray>("api/courses");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains(courses!, c => c!["title"]!.GetValue<string>() == "Ensemble pedagogy at a distance");
        Assert.Contains(courses!, c => c!["title"]!.GetValue<string>() == "Counterpoint on PostgreSQL");
        // The rows are in PostgreSQL, under PostgreSQL's own migration history.
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("""SELECT count(*) FROM "Courses" WHERE "Title" = 'Counterpoint on PostgreSQL'""", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
        await using var history = new NpgsqlCommand("""SELECT count(*) FROM "__EFMigrationsHistory" """, connection);
        Assert.True((long)(await history.ExecuteScalarAsync())! >= 1);
    }

    [Fact]
    public void BothProvidersMigrationsDescribeTheWholeModel()
    {
        using var sqlite = new LokiDbContext(new DbContextOptionsBuilder<LokiDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var npgsql = new PostgresLokiDbContextDesignFactory().CreateDbContext([]);

        Assert.False(sqlite.Database.HasPendingModelChanges(), "the model changed without a SQLite migration");
        Assert.False(npgsql.Database.HasPendingModelChanges(), "the model changed without a PostgreSQL migration");
        // Each provider runs only its own migrations.
        Assert.NotEmpty(npgsql.Database.GetMigrations());
        Assert.Empty(npgsql.Database.GetMigrations().Intersect(sqlite.Database.GetMigrations()));
    }
}
