using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Loki.Learning.Web.Tests.Hosting;

/// A throw-away PostgreSQL server from Debian's package (test.sh installs it): a fresh data folder, loopback only,
/// a free port, trust authentication, stopped and deleted afterwards. Running as root, the server runs as the
/// package's `postgres` user (PostgreSQL refuses root).
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-pg-").FullName;
    private string _bin = "";

    public int Port { get; } = FreePort();

    private string DataFolder => Path.Combine(_folder, "data");

    /// A new, empty database on this server.
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=loki;Database={database};Pooling=true;Timeout=15";

    public async Task InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(v => Path.Combine(v, "bin"))
            .FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (test.sh installs the Debian package 'postgresql').");
        if (Environment.UserName == "root")
        {
            Run("chown", "-R", "postgres:postgres", _folder);
        }
        Run(Path.Combine(_bin, "initdb"), "-D", DataFolder, "-A", "trust", "-U", "loki", "--no-sync", "-E", "UTF8");
        Run(Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-w", "-t", "60", "-l", Path.Combine(_folder, "server.log"),
            "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        await Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
        return Task.CompletedTask;
    }

    /// Runs a server tool, as the postgres user when this process is root.
    private static void Run(string tool, params string[] arguments)
    {
        var asPostgres = Environment.UserName == "root" && !tool.EndsWith("chown", StringComparison.Ordinal);
        var start = new ProcessStartInfo(asPostgres ? "runuser" : tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", tool })
            {
                start.ArgumentList.Add(prefix);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors}{output.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
