using System.Diagnostics;
using System.Text.RegularExpressions;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.Localization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;

namespace Loki.Learning.Web.Tests.Hosting;

/// The installation files in deploy/ and the firewall table in docs/operations.md say what the code does.
public sealed partial class DeployFilesTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([TranslationTests.RepositoryRoot(), .. path]));

    private static Dictionary<string, List<string>> UnitKeys(string unit) =>
        unit.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('[') && l.Contains('=', StringComparison.Ordinal))
            .GroupBy(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..])
            .ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public async Task TheServiceUnitRunsAsItsOwnUserWithRealTimePriorityForTheMixThreadAndIsHardened()
    {
        var unit = Read("deploy", "systemd", "loki.service");
        var keys = UnitKeys(unit);

        Assert.Equal(["loki"], keys["User"]);
        Assert.Equal(["loki"], keys["StateDirectory"]);
        Assert.Equal([new MediaEngineOptions().RealTimePriority.ToString(System.Globalization.CultureInfo.InvariantCulture)], keys["LimitRTPRIO"]);
        Assert.Contains("CAP_SYS_NICE", keys["AmbientCapabilities"].Single().Split(' '));
        Assert.Contains("Loki__Database__Path=/var/lib/loki/loki.db", keys["Environment"]);
        Assert.Contains(keys["Environment"], e => e.Split(' ').Contains("ASPNETCORE_ENVIRONMENT=Production"));
        Assert.Equal(["/etc/loki/loki.env"], keys["EnvironmentFile"]);
        Assert.Equal(["strict"], keys["ProtectSystem"]);
        Assert.Equal(["yes"], keys["NoNewPrivileges"]);
        Assert.Equal(["/var/lib/loki"], keys["ReadWritePaths"]);
        Assert.StartsWith("/opt/loki/Loki.Learning.Web ", keys["ExecStart"].Single(), StringComparison.Ordinal);

        if (File.Exists(SystemdAnalyze))
        {
            // systemd checks that ExecStart exists: the one change is an executable this machine has.
            var folder = Directory.CreateTempSubdirectory("loki-unit-").FullName;
            try
            {
                var copy = Path.Combine(folder, "loki.service");
                await File.WriteAllTextAsync(copy, unit.Replace("ExecStart=/opt/loki/Loki.Learning.Web", "ExecStart=/bin/true", StringComparison.Ordinal));
                var verify = new ProcessStartInfo(SystemdAnalyze, ["verify", copy]) { RedirectStandardError = true, RedirectStandardOutput = true };
                using var process = Process.Start(verify)!;
                var errors = await process.StandardError.ReadToEndAsync();
                await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, errors);
                Assert.DoesNotContain("loki.service", errors, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void TheFirewallTableNamesThePortsTheCodeOpens()
    {
        var docs = Read("docs", "operations.md");
        var section = docs[docs.IndexOf("## Firewall and ports", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 3, StringComparison.Ordinal) is > 0 and var end ? end : section.Length)];
        string PortFor(string setting) =>
            section.Split('\n').Single(row => row.StartsWith('|') && row.Contains($"`{setting}`", StringComparison.Ordinal)).Split('|')[1].Trim();
        var media = new MediaEngineOptions();
        var cluster = ClusterSettings.From(new ConfigurationBuilder().Build(), new HostingEnvironment { ContentRootPath = Path.GetTempPath() });

        Assert.Equal($"{media.TcpPort}", PortFor("Media:JackTripPort"));
        Assert.Equal($"{media.UdpBasePort}–{media.UdpBasePort + media.MaxClients - 1}", PortFor("Media:UdpBasePort"));
        Assert.Equal($"{cluster.SiloPort}", PortFor("Cluster:SiloPort"));
        Assert.DoesNotContain("`Cluster:GatewayPort`", section, StringComparison.Ordinal);
        // The example proxy configurations send to the port the table gives the node behind a proxy.
        var behindProxy = PortFor("ASPNETCORE_URLS=http://127.0.0.1:5080");
        Assert.Contains($"server 127.0.0.1:{behindProxy};", Read("deploy", "nginx", "loki.conf"), StringComparison.Ordinal);
        Assert.Contains($"reverse_proxy 127.0.0.1:{behindProxy}", Read("deploy", "caddy", "Caddyfile"), StringComparison.Ordinal);
    }

    [Fact]
    public void TheNginxExamplePassesWebSocketsAndTheForwardedHeadersTheNodeReads()
    {
        var nginx = Read("deploy", "nginx", "loki.conf");

        foreach (var header in new[] { "Upgrade", "Connection", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For", "Host" })
        {
            Assert.Matches(new Regex($@"proxy_set_header\s+{Regex.Escape(header)}\s"), nginx);
        }
        Assert.Contains("proxy_buffering off;", nginx, StringComparison.Ordinal);
        Assert.Matches(ProxyReadTimeout(), nginx);
    }

    [GeneratedRegex(@"proxy_read_timeout\s+\d+h;")]
    private static partial Regex ProxyReadTimeout();
}
