using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Tests.Hosting;

/// The cluster CA of this test run, made once in a temporary folder (deleted when the run ends), and node certificates
/// it issues: what an operator makes with <see cref="ClusterCertificates"/> before starting a cluster.
internal static class TestClusterCertificates
{
    private static readonly Lock Gate = new();

    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("loki-cluster-ca-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    });

    /// A new node certificate of the run's cluster CA.
    public static NodeCertificateFiles Issue()
    {
        lock (Gate)
        {
            return ClusterCertificates.Write(Folder.Value, "tests", ["node-" + Guid.NewGuid().ToString("N")[..8]])[0];
        }
    }

    /// The node's settings as configuration keys (<c>Loki:Cluster:Tls:…</c>).
    public static Dictionary<string, string?> Settings(NodeCertificateFiles files) => new()
    {
        ["Loki:Cluster:Tls:CertificatePath"] = files.CertificatePath,
        ["Loki:Cluster:Tls:KeyPath"] = files.KeyPath,
        ["Loki:Cluster:Tls:CaPath"] = files.CaPath,
    };

    /// The node's settings as the documented environment variables (<c>Loki__Cluster__Tls__…</c>).
    public static Dictionary<string, string> Environment(NodeCertificateFiles files) =>
        Settings(files).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
}
