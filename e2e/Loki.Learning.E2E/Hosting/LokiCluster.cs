using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.E2E.Hosting;

/// A cluster as a site runs it: separate node processes of the built platform (the same DLL as `dotnet run`) on one
/// fresh PostgreSQL database, Orleans ADO.NET clustering, each node with its own media engine, recordings and
/// scores in a shared folder. Configured only through the documented environment variables.
public sealed class LokiCluster : IAsyncLifetime
{
    /// Nodes start with the cluster; a test may kill one.
    public const int NodeCount = 3;

    private readonly PostgresServer _postgres = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-cluster-").FullName;
    private readonly string _clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
    private string _connectionString = "";

    public IReadOnlyList<Node> Nodes { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("loki_cluster");
        var nodes = new List<Node>();
        // One after another: the first migrates and seeds, the others find the cluster it formed.
        for (var i = 0; i < NodeCount; i++)
        {
            var node = new Node((char)('A' + i), FreePort(), Path.Combine(_folder, $"node-{(char)('a' + i)}"));
            nodes.Add(node);
            node.Start(Environment(node));
            await node.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        }
        Nodes = nodes;
        await WaitForMembersAsync(Nodes[0], NodeCount, TimeSpan.FromSeconds(60));
    }

    private Dictionary<string, string> Environment(Node node) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["ASPNETCORE_URLS"] = node.BaseAddress.GetLeftPart(UriPartial.Authority),
        ["Loki__Database__Provider"] = "Postgres",
        ["ConnectionStrings__Loki"] = _connectionString,
        ["Loki__Cluster__Mode"] = "AdoNet",
        ["Loki__Cluster__ClusterId"] = _clusterId,
        ["Loki__Cluster__SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        ["Loki__Cluster__GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        ["Loki__Cluster__AdvertisedAddress"] = "127.0.0.1",
        ["Loki__Database__Path"] = Path.Combine(node.Folder, "loki.db"),
        ["Loki__Recording__Path"] = Path.Combine(_folder, "shared", "recordings"),
        ["Loki__Scores__Path"] = Path.Combine(_folder, "shared", "scores"),
        ["Loki__Media__BindAddress"] = "127.0.0.1",
        ["Loki__Media__PublicHost"] = "127.0.0.1",
        ["Loki__Media__JackTripPort"] = "0",
        ["Loki__Media__UdpBasePort"] = "0",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Loki"] = "Information",
    };

    /// Polls a node's cluster health until it counts <paramref name="members"/> active silos.
    public static async Task WaitForMembersAsync(Node node, int members, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < patience)
        {
            try
            {
                last = await node.Http.GetStringAsync("health/cluster");
                if (CountActive(last) == members)
                {
                    return;
                }
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"node {node.Name} did not see {members} active silos within {patience.TotalSeconds} s: {last}");
    }

    private static int CountActive(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.GetProperty("activeSilos").GetInt32();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        await _postgres.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A killed node's files may still be closing; the temp folder is left for the system.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// One node process, its output kept for the failure message.
    public sealed class Node(char name, int port, string folder) : IAsyncDisposable
    {
        private readonly StringBuilder _log = new();
        private Process? _process;

        public char Name { get; } = name;

        public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

        public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}/");

        public HttpClient Http { get; } = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

        public bool Running => _process is { HasExited: false };

        public void Start(IReadOnlyDictionary<string, string> environment)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Loki.Learning.Web.dll"));
            start.ArgumentList.Add("--contentRoot");
            start.ArgumentList.Add(AppContext.BaseDirectory);
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public async Task WaitHealthyAsync(TimeSpan patience)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < patience)
            {
                if (!Running)
                {
                    throw new InvalidOperationException($"node {Name} exited: {Log}");
                }
                try
                {
                    if ((await Http.GetAsync("health")).StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
                await Task.Delay(250);
            }
            throw new TimeoutException($"node {Name} not healthy within {patience.TotalSeconds} s: {Log}");
        }

        /// SIGKILL: the node vanishes as in a power cut, telling nobody.
        public void Kill()
        {
            _process?.Kill(entireProcessTree: true);
            _process?.WaitForExit(10_000);
        }

        public async ValueTask DisposeAsync()
        {
            if (Running)
            {
                _process!.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process?.Dispose();
            Http.Dispose();
        }
    }
}
