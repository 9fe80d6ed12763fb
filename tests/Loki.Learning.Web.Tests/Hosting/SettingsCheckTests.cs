using Loki.Learning.Web.Hosting;
using Microsoft.Extensions.Configuration;

namespace Loki.Learning.Web.Tests.Hosting;

/// A wrong setting stops the node before anything listens, with one line naming the key, what it may be and what it is,
/// as an operator sees it on the console (docs/operations.md lists every key and its default).
public sealed class SettingsCheckTests
{
    [Theory]
    [InlineData("Media:JackTripPort", "-1", "Media:JackTripPort must be a TCP port from 1 to 65535, or 0 for any free port, not '-1'.")]
    [InlineData("Media:BindAddress", "ten.0.0.1", "Media:BindAddress must be an IP address such as 0.0.0.0 or 127.0.0.1, not 'ten.0.0.1'.")]
    [InlineData("Media:EngineSilenceSeconds", "0", "Media:EngineSilenceSeconds must be from 1 to 600 seconds, not '0'.")]
    [InlineData("Media:UdpBasePort", "65500", "Media:UdpBasePort must be a UDP port from 1 to 65408 (the next 127 are used too), or 0 for any free port, not '65500'.")]
    [InlineData("Media:RealTimePriority", "120", "Media:RealTimePriority must be from 1 to 99, or 0 for normal priority, not '120'.")]
    [InlineData("Media:PublicUrl", "node2:5080", "Media:PublicUrl must be an http:// or https:// address, not 'node2:5080'.")]
    public async Task AWrongMediaSettingStopsTheNodeWithOneLine(string key, string value, string line) =>
        Assert.Equal(["loki: " + line], await StartAsync(key, value));

    [Fact]
    public async Task AMixThreadCpuTheMachineDoesNotHaveStopsTheNodeWithOneLine()
    {
        var missing = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(
            [$"loki: Media:MixThreadCpu must be a CPU from 0 to {Environment.ProcessorCount - 1}, or -1 for none, not '{missing}'."],
            await StartAsync("Media:MixThreadCpu", missing));
    }

    [Fact]
    public async Task AWordWhereAMediaNumberBelongsStopsTheNodeWithALineNamingKeyAndValue()
    {
        var line = Assert.Single(await StartAsync("Media:JackTripPort", "many"));

        Assert.StartsWith("loki: ", line, StringComparison.Ordinal);
        Assert.Contains("Media:JackTripPort", line, StringComparison.Ordinal);
        Assert.Contains("'many'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Site:CookieDomain", "https://loki.school.example/", "Site:CookieDomain must be a domain name such as loki.school.example, not 'https://loki.school.example/'.")]
    [InlineData("Site:Name", " ", "Site:Name must be a name people read on /info, not ' '.")]
    public async Task AWrongSiteSettingStopsTheNodeWithOneLine(string key, string value, string line) =>
        Assert.Equal(["loki: " + line], await StartAsync(key, value));

    [Theory]
    [InlineData("Cluster:Mode", "Swarm", "Cluster:Mode must be Localhost or AdoNet, not 'Swarm'.")]
    [InlineData("Cluster:AdvertisedAddress", "node-a", "Cluster:AdvertisedAddress must be an IP address (the one other nodes dial), not 'node-a'.")]
    [InlineData("Cluster:SiloPort", "-5", "Cluster:SiloPort must be a TCP port from 1 to 65535, not '-5'.")]
    public async Task AWrongClusterSettingStopsTheNodeWithOneLine(string key, string value, string line) =>
        Assert.Equal(["loki: " + line], await StartAsync(key, value));

    [Fact]
    public async Task AChildEngineWhoseProgramIsMissingStopsTheNodeWithOneLine() =>
        Assert.Equal(
            ["loki: Media:EnginePath must be the path of the Loki.Learning.Hub program or its .dll (none was found next to the node), not '/nowhere/Loki.Learning.Hub'."],
            await StartAsync(("Media:Enabled", "true"), ("Media:Process", "Child"), ("Media:EnginePath", "/nowhere/Loki.Learning.Hub")));

    [Fact]
    public async Task TwoWrongSettingsInTwoSectionsGiveALineEach()
    {
        var lines = await StartAsync(("Media:JackTripPort", "70000"), ("Site:CookieDomain", "a b"));

        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.StartsWith("loki: Media:JackTripPort must be", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("loki: Site:CookieDomain must be", StringComparison.Ordinal));
    }

    private static Task<List<string>> StartAsync(string key, string value) => StartAsync((key, value));

    /// Starts the node as the executable does, with the given settings on top of safe ones, and returns what it printed.
    private static async Task<List<string>> StartAsync(params (string Key, string Value)[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("loki-settings-").FullName;
        var error = new StringWriter();
        try
        {
            var exit = await LokiCommands.RunAsync(["--urls", "http://127.0.0.1:0", "--environment", "Production"], async args =>
            {
                var values = new Dictionary<string, string?>
                {
                    ["Database:Path"] = Path.Combine(folder, "loki.db"),
                    ["Media:Enabled"] = "false",
                    ["Logging:LogLevel:Default"] = "Warning",
                };
                foreach (var (key, value) in settings)
                {
                    values[key] = value;
                }
                await using var app = LokiHost.Build(args, builder => builder.Configuration.AddInMemoryCollection(values));
                using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await app.StartAsync(patience.Token);
                await app.StopAsync(CancellationToken.None);
            }, error);
            Assert.Equal(1, exit);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }
}
