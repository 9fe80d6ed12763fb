using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loki.Learning.Web.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;

namespace Loki.Learning.Web.Tests.Hosting;

/// A certificate that cannot serve the site stops the node before it listens, with one line naming the file and what is
/// wrong with it.
public sealed class CertificateSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-cert-settings-").FullName;
    private readonly LocalCertificates.Issued _issued;

    public CertificateSettingsTests()
    {
        _issued = LocalCertificates.Issue(_folder, ["school.test"], DateTimeOffset.UtcNow);
    }

    public void Dispose()
    {
        _issued.Authority.Dispose();
        _issued.Server.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static WebFront Read(Dictionary<string, string?> settings, string environment = "Production") =>
        HttpsHosting.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            new HostingEnvironment { EnvironmentName = environment }, DateTimeOffset.UtcNow);

    private Dictionary<string, string?> Https(string certificate, string key, string publicUrl = "https://school.test/") => new()
    {
        ["urls"] = "https://+:443;http://+:80",
        ["Kestrel:Certificates:Default:Path"] = certificate,
        ["Kestrel:Certificates:Default:KeyPath"] = key,
        ["Site:PublicUrl"] = publicUrl,
    };

    private static string Refusal(Func<WebFront> start)
    {
        var problem = Assert.Throws<SetupProblem>(start);
        Assert.DoesNotContain('\n', problem.Message);
        return problem.Message;
    }

    [Fact]
    public void AGoodCertificateStartsTheNodeAtItsHttpsAddress()
    {
        var settings = Https(_issued.ServerPath, _issued.ServerKeyPath);
        settings.Remove("Site:PublicUrl");

        var front = Read(settings);

        Assert.True(front.HttpsOn);
        // Without Site:PublicUrl the site is at the certificate's name.
        Assert.Equal(new Uri("https://school.test/"), front.PublicUrl);
        Assert.False(front.TrustsProxies);
    }

    [Fact]
    public void AMissingCertificateFileIsNamed()
    {
        var missing = Path.Combine(_folder, "gone.crt");

        var message = Refusal(() => Read(Https(missing, _issued.ServerKeyPath)));

        Assert.Equal($"{missing} (Kestrel:Certificates:Default:Path): the file does not exist.", message);
    }

    [Fact]
    public void AMissingKeyFileIsNamed()
    {
        var missing = Path.Combine(_folder, "gone.key");

        var message = Refusal(() => Read(Https(_issued.ServerPath, missing)));

        Assert.Equal($"{missing} (Kestrel:Certificates:Default:KeyPath): the file does not exist.", message);
    }

    [Fact]
    public void AFileThatCannotBeOpenedIsNamed()
    {
        // A socket has a name in the folder but cannot be opened as a file; the tests run as root, for whom no mode
        // bits make a file unreadable.
        var socketPath = Path.Combine(_folder, "socket.crt");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        var message = Refusal(() => Read(Https(socketPath, _issued.ServerKeyPath)));

        Assert.StartsWith($"{socketPath} (Kestrel:Certificates:Default:Path): the file cannot be read", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotACertificateIsNamed()
    {
        var garbage = Path.Combine(_folder, "garbage.crt");
        File.WriteAllText(garbage, "not a certificate");

        var message = Refusal(() => Read(Https(garbage, _issued.ServerKeyPath)));

        Assert.StartsWith($"{garbage} (Kestrel:Certificates:Default:Path): not a PEM certificate whose key is {_issued.ServerKeyPath}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExpiredCertificateIsNamedWithItsDate()
    {
        var (certificate, key) = WriteSelfSigned("expired", "school.test", DateTimeOffset.UtcNow.AddDays(-400), DateTimeOffset.UtcNow.AddDays(-3));

        var message = Refusal(() => Read(Https(certificate, key)));

        Assert.Equal($"{certificate} (Kestrel:Certificates:Default:Path): the certificate expired on {DateTime.UtcNow.AddDays(-3).ToLocalTime():yyyy-MM-dd}; renew it (docs/operations.md, \"Renew the certificate\").", message);
    }

    [Fact]
    public void ACertificateForAnotherHostIsNamedWithBothHosts()
    {
        var message = Refusal(() => Read(Https(_issued.ServerPath, _issued.ServerKeyPath, "https://loki.kulturskola.local/")));

        Assert.Equal($"{_issued.ServerPath} (Kestrel:Certificates:Default:Path): the certificate is for school.test, not for loki.kulturskola.local (Site:PublicUrl); make one for loki.kulturskola.local with the certificate command.", message);
    }

    [Fact]
    public void HttpsWithoutAnyCertificateIsRefusedOutsideDevelopment()
    {
        var message = Refusal(() => Read(new Dictionary<string, string?> { ["urls"] = "https://+:443" }));

        Assert.StartsWith("Kestrel:Certificates:Default:Path: the node is asked to serve https but no certificate is configured", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProxyThatIsNotAnAddressIsRefused()
    {
        var message = Refusal(() => Read(new Dictionary<string, string?> { ["Proxy:KnownProxies"] = "proxy.school.local" }));

        Assert.Equal("Proxy:KnownProxies: 'proxy.school.local' is not an IP address.", message);
    }

    [Fact]
    public async Task TheNodeRefusesToStartWithOneLineAndAnErrorCode()
    {
        var (certificate, key) = WriteSelfSigned("expired", "school.test", DateTimeOffset.UtcNow.AddDays(-400), DateTimeOffset.UtcNow.AddDays(-3));
        await using var node = new NodeProcess("expired", NodeProcess.FreePort());

        node.Start(new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{NodeProcess.FreePort()}",
            ["Kestrel__Certificates__Default__Path"] = certificate,
            ["Kestrel__Certificates__Default__KeyPath"] = key,
            ["Database__Path"] = Path.Combine(_folder, "loki.db"),
        });

        Assert.Equal(1, await node.ExitCodeAsync(TimeSpan.FromMinutes(2)));
        var line = Assert.Single(node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"loki: {certificate} (Kestrel:Certificates:Default:Path): the certificate expired on", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "loki.db")));
    }

    private (string Certificate, string Key) WriteSelfSigned(string name, string host, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var certificatePath = Path.Combine(_folder, name + ".crt");
        var keyPath = Path.Combine(_folder, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
