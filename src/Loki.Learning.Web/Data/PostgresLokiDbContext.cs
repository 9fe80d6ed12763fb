using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Loki.Learning.Web.Data;

/// The same model on PostgreSQL (cluster mode). A type of its own only so that its migrations, generated for
/// PostgreSQL, are kept apart from SQLite's: EF binds a migration to the context type named in it.
public sealed class PostgresLokiDbContext(DbContextOptions<PostgresLokiDbContext> options) : LokiDbContext(options);

/// For `dotnet ef migrations add … --context PostgresLokiDbContext`: adding a migration needs no server.
public sealed class PostgresLokiDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresLokiDbContext>
{
    public PostgresLokiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresLokiDbContext>().UseNpgsql("Host=localhost;Database=loki").Options);
}

/// For `dotnet ef migrations add … --context Loki.Learning.Web.Data.LokiDbContext` (SQLite). Without it EF would take
/// the PostgreSQL factory above for this context too (the factory interface is covariant) and write PostgreSQL
/// migrations into Data/Migrations.
public sealed class LokiDbContextDesignFactory : IDesignTimeDbContextFactory<LokiDbContext>
{
    public LokiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LokiDbContext>().UseSqlite("Data Source=loki-design.db").Options);
}
