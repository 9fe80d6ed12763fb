using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Web.Hosting;
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

    public IReadOnlyList<NodeProcess> Nodes { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("loki_cluster");
        var nodes = new List<NodeProcess>();
        Nodes = nodes;   // so that a node started before a later one fails is stopped too
        // One after another: the first migrates and seeds, the others find the cluster it formed.
        for (var i = 0; i < NodeCount; i++)
        {
            var node = new NodeProcess(((char)('A' + i)).ToString(), NodeProcess.FreePort());
            nodes.Add(node);
            node.Start(Environment(Directory.CreateDirectory(Path.Combine(_folder, $"node-{(char)('a' + i)}")).FullName));
            await node.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        }
        await WaitForMembersAsync(Nodes[0], NodeCount, TimeSpan.FromSeconds(60));
    }

    /// A node's settings: the documented environment variables, its own ports and files, shared recordings and scores.
    private Dictionary<string, string> Environment(string nodeFolder)
    {
        // Each node its certificate from one cluster CA, as docs/operations.md sets a cluster up.
        var certificate = ClusterCertificates.Write(Path.Combine(_folder, "certificates"), _clusterId, [Path.GetFileName(nodeFolder)])[0];
        return new()
        {
            ["Loki__Cluster__Tls__CertificatePath"] = certificate.CertificatePath,
            ["Loki__Cluster__Tls__KeyPath"] = certificate.KeyPath,
            ["Loki__Cluster__Tls__CaPath"] = certificate.CaPath,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Loki__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Loki"] = _connectionString,
            ["Loki__Cluster__Mode"] = "AdoNet",
            ["Loki__Cluster__ClusterId"] = _clusterId,
            ["Loki__Cluster__SiloPort"] = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Loki__Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["Loki__Database__Path"] = Path.Combine(nodeFolder, "loki.db"),
            ["Loki__Recording__Path"] = Path.Combine(_folder, "shared", "recordings"),
            ["Loki__Scores__Path"] = Path.Combine(_folder, "shared", "scores"),
            ["Loki__Media__BindAddress"] = "127.0.0.1",
            ["Loki__Media__PublicHost"] = "127.0.0.1",
            ["Loki__Media__JackTripPort"] = "0",
            ["Loki__Media__UdpBasePort"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Loki"] = "Information",
        };
    }

    /// Polls a node's cluster health until it counts <paramref name="members"/> active silos.
    public static async Task WaitForMembersAsync(NodeProcess node, int members, TimeSpan patience)
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
}
