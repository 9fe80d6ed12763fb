using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loki.Learning.Web.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Loki.Learning.Web.Tests.Hosting;

/// Which certificates make a process a member of the cluster (docs/security-cluster.md), and how a node refuses to
/// start with settings that would leave its silo open or unusable. The sockets are in <see cref="ClusterTests"/>.
public sealed class ClusterTlsTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-cluster-tls-").FullName;

    [Fact]
    public void ANodeCertificateOfTheClusterCaMakesAMember()
    {
        var files = ClusterCertificates.Write(_folder, "school", ["node1", "node2"]);
        using var tls = Load(files[0]);
        using var other = X509Certificate2.CreateFromPemFile(files[1].CertificatePath, files[1].KeyPath);

        Assert.True(tls.IsClusterMember(other));
        Assert.True(tls.IsClusterMember(tls.Certificate));
        Assert.Equal("CN=school cluster CA", tls.Authority.Subject);
    }

    [Fact]
    public void ACertificateOfAnotherCaIsRefusedEvenWhenThatCaCarriesTheClusterCasName()
    {
        var files = ClusterCertificates.Write(_folder, "school", ["node1"]);
        using var tls = Load(files[0]);
        // An impostor CA with the very same name, as anyone can make one.
        using var impostor = ClusterCertificates.CreateAuthority("school cluster CA", Now.AddDays(-1), Now.AddYears(1));
        using var foreign = ClusterCertificates.IssueNode(impostor, "node1", Now.AddDays(-1), Now.AddYears(1));

        Assert.False(tls.IsClusterMember(foreign));
        Assert.Contains("not a valid certificate of the cluster CA", tls.Refusal(foreign), StringComparison.Ordinal);
        // The impostor's own self-signed certificate is no better.
        Assert.False(tls.IsClusterMember(impostor));
    }

    [Fact]
    public void ACertificateOfTheClusterCaForServersOnlyOrExpiredIsRefused()
    {
        // A CA made two months ago, so that it can have issued a certificate that has expired since.
        using var authority = ClusterCertificates.CreateAuthority("school cluster CA", Now.AddDays(-60), Now.AddYears(1));
        using var node = ClusterCertificates.IssueNode(authority, "node1", Now.AddDays(-1), Now.AddYears(1));
        var files = new NodeCertificateFiles(Path.Combine(_folder, "node1.pem"), Path.Combine(_folder, "node1.key"), Path.Combine(_folder, "ca.pem"));
        File.WriteAllText(files.CertificatePath, node.ExportCertificatePem());
        File.WriteAllText(files.KeyPath, node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.CaPath, authority.ExportCertificatePem());
        using var tls = Load(files);
        using var expired = ClusterCertificates.IssueNode(authority, "node9", Now.AddDays(-30), Now.AddDays(-1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=web.school.local", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClusterCertificates.ServerAuthentication], critical: false));
        using var serverOnly = request.Create(authority, Now.AddDays(-1), Now.AddYears(1), [1, 2, 3, 4]);

        Assert.True(tls.IsClusterMember(node));
        Assert.Contains("server and client authentication", tls.Refusal(serverOnly), StringComparison.Ordinal);
        Assert.False(tls.IsClusterMember(expired));
    }

    [Fact]
    public void ANodeRefusesToStartWithACertificateTheClusterCaDidNotIssue()
    {
        var ours = ClusterCertificates.Write(Path.Combine(_folder, "ours"), "school", ["node1"])[0];
        var theirs = ClusterCertificates.Write(Path.Combine(_folder, "theirs"), "elsewhere", ["node1"])[0];

        var refusal = Assert.Throws<SetupProblem>(() => Load(theirs with { CaPath = ours.CaPath }));

        Assert.StartsWith("Cluster:Tls:CertificatePath", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("CN=school cluster CA", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, null, "Cluster:Mode AdoNet needs the cluster certificate")]
    [InlineData("node1.pem", "node1.key", null, null, "Cluster:Tls:CaPath is not set")]
    [InlineData("node1.pem", "missing.key", "cluster-ca.pem", null, "Cluster:Tls:KeyPath: there is no file")]
    [InlineData("node1.pem", null, "cluster-ca.pem", null, "is not a PKCS#12 file")]
    [InlineData("node1.pem", "node1.key", "cluster-ca.pem", "true", "Cluster:Tls:Disabled is true but")]
    [InlineData(null, null, null, "yes", "Cluster:Tls:Disabled must be true or false")]
    public void SettingsThatLeaveTheSiloOpenOrCannotWorkStopTheNodeWithOneLine(string? certificate, string? key, string? ca, string? disabled, string expected)
    {
        ClusterCertificates.Write(_folder, "school", ["node1"]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:Tls:CertificatePath"] = certificate,
            ["Cluster:Tls:KeyPath"] = key,
            ["Cluster:Tls:CaPath"] = ca,
            ["Cluster:Tls:Disabled"] = disabled,
        }).Build();

        var refusal = Assert.Throws<SetupProblem>(() => ClusterTls.FromConfiguration(configuration, new Folder(_folder)));

        Assert.Contains(expected, refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refusal.Message);
    }

    [Fact]
    public void RelativePathsAreReadFromTheContentRootAndDisabledMeansNoTls()
    {
        ClusterCertificates.Write(_folder, "school", ["node1"]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:Tls:CertificatePath"] = "node1.pem",
            ["Cluster:Tls:KeyPath"] = "node1.key",
            ["Cluster:Tls:CaPath"] = "cluster-ca.pem",
        }).Build();
        var lab = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cluster:Tls:Disabled"] = "true" }).Build();

        using var tls = ClusterTls.FromConfiguration(configuration, new Folder(_folder));

        Assert.Equal("CN=node1", tls!.Certificate.Subject);
        Assert.Null(ClusterTls.FromConfiguration(lab, new Folder(_folder)));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void MoreNodesAreIssuedByTheSameCaAndKeysAreReadableByTheirOwnerOnly()
    {
        var first = ClusterCertificates.Write(_folder, "school", ["node1"])[0];
        var caBefore = File.ReadAllText(first.CaPath);

        var second = ClusterCertificates.Write(_folder, "school", ["node2"])[0];

        Assert.Equal(caBefore, File.ReadAllText(second.CaPath));
        using var tls = Load(first);
        using var node2 = X509Certificate2.CreateFromPemFile(second.CertificatePath, second.KeyPath);
        Assert.True(tls.IsClusterMember(node2));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(second.KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, ClusterCertificates.AuthorityKeyFile)));
        Assert.Throws<ArgumentException>(() => ClusterCertificates.Write(_folder, "school", ["../node3"]));
    }

    /// The openssl recipe of docs/operations.md, run as written, makes certificates a node accepts and that are members
    /// alongside those of the .NET generator.
    [Fact]
    public async Task TheOpensslRecipeOfTheOperationsGuideMakesWorkingCertificates()
    {
        var recipe = OpensslRecipe();
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(recipe);
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"the recipe failed: {errors}{await output}");

        using var tls = ClusterTls.Load(Path.Combine(_folder, "node1.pem"), Path.Combine(_folder, "node1.key"), null, Path.Combine(_folder, "cluster-ca.pem"));
        // A node added later with the generator, from the same CA, is a member too.
        var node2 = ClusterCertificates.Write(_folder, "school", ["node2"])[0];
        using var node2Certificate = X509Certificate2.CreateFromPemFile(node2.CertificatePath, node2.KeyPath);
        Assert.True(tls.IsClusterMember(node2Certificate));
    }

    private static string OpensslRecipe()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Loki.Learning.sln")))
        {
            root = root.Parent;
        }
        var guide = File.ReadAllText(Path.Combine(root!.FullName, "docs", "operations.md"));
        var start = guide.IndexOf("```sh\n# the cluster CA", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/operations.md has no openssl recipe for cluster certificates");
        var body = start + "```sh\n".Length;
        return guide[body..guide.IndexOf("```", body, StringComparison.Ordinal)];
    }

    private static ClusterTls Load(NodeCertificateFiles files) => ClusterTls.Load(files.CertificatePath, files.KeyPath, null, files.CaPath);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class Folder(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "Loki.Learning.Web";
        public string ContentRootPath { get; set; } = path;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
