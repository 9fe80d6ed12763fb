using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Loki.Learning.Web.Hosting;

/// Orleans' ADO.NET providers bring no tables of their own: they read their statements from an orleansquery table.
/// Ours are in Hosting/OrleansSchema/*.sql (embedded), each file safe to apply again, and applied on every start
/// before the silo starts: PostgreSQL's (membership and grain state) in a cluster, on the start lock's session;
/// SQLite's (grain state) in a single node's orleans.db.
public static class OrleansSchema
{
    private const string Prefix = "Loki.Learning.Web.Hosting.OrleansSchema.";

    public static async Task ApplyAsync(ClusterSettings settings, StartLock startLock, CancellationToken cancellationToken = default)
    {
        if (settings.Mode == ClusterMode.AdoNet)
        {
            var connection = startLock.Connection ?? throw new InvalidOperationException("Cluster:Mode AdoNet needs PostgreSQL.");
            await RunAsync(connection, "postgres-", cancellationToken);
            return;
        }
        await using var sqlite = new SqliteConnection(settings.ConnectionString);
        await sqlite.OpenAsync(cancellationToken);
        // As the main database: a kill mid-write cannot corrupt the file (and WAL cannot be switched on in a transaction).
        await using (var wal = new SqliteCommand("PRAGMA journal_mode=WAL;", sqlite))
        {
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await RunAsync(sqlite, "sqlite-", cancellationToken);
    }

    /// Runs the files whose names start with <paramref name="kind"/>, in name order, each in one transaction.
    private static async Task RunAsync(DbConnection connection, string kind, CancellationToken cancellationToken)
    {
        var assembly = typeof(OrleansSchema).Assembly;
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix + kind, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No Orleans schema '{kind}*.sql' is embedded in {assembly.GetName().Name}.");
        }
        foreach (var name in files)
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            var sql = await reader.ReadToEndAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
