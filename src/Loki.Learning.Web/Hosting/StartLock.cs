using Npgsql;

namespace Loki.Learning.Web.Hosting;

/// Serializes the start-up work of nodes that share one PostgreSQL database (migrations, seed data, Orleans'
/// schema, the first Data Protection key): two nodes starting together would otherwise both seed, or both create
/// the same table. A session-level advisory lock, held on its own unpooled connection until disposed; a crashed
/// node's lock goes with its connection. On SQLite (one node per file) there is nothing to take.
public sealed class StartLock : IAsyncDisposable
{
    /// Any fixed number, the same on every node: "Loki" in ASCII.
    private const long Key = 0x4C6F6B69;

    private readonly NpgsqlConnection? _connection;

    private StartLock(NpgsqlConnection? connection) => _connection = connection;

    public static async Task<StartLock> TakeAsync(IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        if (DatabaseProviders.Parse(configuration["Database:Provider"]) != DatabaseProvider.Postgres)
        {
            return new StartLock(null);
        }
        // Not pooled: a pooled connection's session (and with it the lock) would outlive Dispose until the pool
        // reused or pruned it, minutes later; closing an unpooled one ends the session and releases the lock.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Loki")) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            take.Parameters.AddWithValue("key", Key);
            // Waits for as long as another node takes to prepare (migrations may take a while on an upgrade).
            take.CommandTimeout = 0;
            await take.ExecuteNonQueryAsync(cancellationToken);
            return new StartLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// The locked session, to do the start-up work on (null on SQLite).
    public NpgsqlConnection? Connection => _connection;

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            // Closing the session releases its advisory lock.
            await _connection.DisposeAsync();
        }
    }
}
