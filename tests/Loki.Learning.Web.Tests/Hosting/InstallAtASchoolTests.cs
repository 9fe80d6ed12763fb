using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Tests.Hosting;

/// docs/operations.md, "Install at a school", as far as this machine allows (no systemd, no publish): the built platform
/// makes its certificate, its first administrator from a piped password, and starts in Production with HTTPS; a computer
/// that trusts the school's authority reaches it by name, and the administrator signs in.
public sealed class InstallAtASchoolTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-install-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheInstallStepsGiveAnHttpsSiteWithOneAdministratorAndNoDemoData()
    {
        var tls = Path.Combine(_folder, "tls");
        var certificate = await NodeProcess.RunCommandAsync(["certificate", "--hosts", "school.test,127.0.0.1", "--out", tls], new Dictionary<string, string>());
        Assert.True(certificate.ExitCode == 0, certificate.Error);
        Assert.Contains("Kestrel__Certificates__Default__Path=" + Path.Combine(tls, LocalCertificates.ServerFile), certificate.Output, StringComparison.Ordinal);

        await using var node = new NodeProcess("school", NodeProcess.FreePort());
        var httpsPort = NodeProcess.FreePort();
        // /etc/loki/loki.env, with loopback addresses and ports this machine has free.
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{httpsPort}",
            ["Kestrel__Endpoints__Http__Url"] = node.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["Kestrel__Certificates__Default__Path"] = Path.Combine(tls, LocalCertificates.ServerFile),
            ["Kestrel__Certificates__Default__KeyPath"] = Path.Combine(tls, LocalCertificates.ServerKeyFile),
            ["Loki__Site__PublicUrl"] = $"https://school.test:{httpsPort}/",
            ["Loki__Database__Path"] = Path.Combine(_folder, "state", "loki.db"),
            ["Loki__Cluster__SiloPort"] = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Loki__Cluster__GatewayPort"] = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Loki__Cluster__ClusterId"] = "install-" + Guid.NewGuid().ToString("N")[..8],
            ["Loki__Media__BindAddress"] = "127.0.0.1",
            ["Loki__Media__JackTripPort"] = "0",
            ["Loki__Media__UdpBasePort"] = "0",
        };

        var admin = await NodeProcess.RunCommandAsync(["admin", "create", "--email", "it@school.test", "--name", "Site IT"], settings, "violin-meadow-93-frost\n");
        Assert.True(admin.ExitCode == 0, admin.Error + admin.Output);
        Assert.Contains($"Made the administrator it@school.test. Sign in at https://school.test:{httpsPort}/account/login", admin.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("violin", admin.Output + admin.Error, StringComparison.Ordinal);

        node.Start(settings);
        await node.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        using var authority = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(tls, LocalCertificates.AuthorityFile));
        using var computer = HttpsClients.Trusting(authority);
        var health = await computer.GetAsync($"https://school.test:{httpsPort}/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(health.Headers.Contains("Strict-Transport-Security"));
        var redirect = await computer.GetAsync($"http://school.test:{node.BaseAddress.Port}/account/login");
        Assert.Equal(new Uri($"https://school.test:{httpsPort}/account/login"), redirect.Headers.Location);

        var signIn = await computer.PostAsJsonAsync($"https://school.test:{httpsPort}/api/auth/login", new { email = "it@school.test", password = "violin-meadow-93-frost" });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var demo = await computer.PostAsJsonAsync($"https://school.test:{httpsPort}/api/auth/login", new { email = "admin@demo.loki.local", password = "Demo-admin-2026" });
        Assert.Equal(HttpStatusCode.Unauthorized, demo.StatusCode);
    }
}
