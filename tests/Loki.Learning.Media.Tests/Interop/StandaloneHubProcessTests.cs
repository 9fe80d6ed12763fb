using System.Globalization;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>The <c>Loki.Learning.Hub serve</c> program itself, as a site would run it, with real JackTrip clients.</summary>
[Collection(RealPeers.Collection)]
public sealed class StandaloneHubProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogLimit = TimeSpan.FromSeconds(15);

    [Fact]
    public void TheServeCommandAdmitsListedClientsRefusesOthersLogsThemAndStopsCleanlyOnSigterm()
    {
        var program = Path.Combine(AppContext.BaseDirectory, "Loki.Learning.Hub");
        var port = FreePorts.One();
        var udpBase = FreePorts.Range(4);
        using var hub = ExternalTool.Start("Loki.Learning.Hub serve", program,
        [
            "serve", "--port", Invariant(port), "--bind", "127.0.0.1", "--admit", "alice,bob",
            "--udp-base", Invariant(udpBase), "--max-clients", "4", "--stats-seconds", "1",
        ]);
        Assert.True(hub.WaitForLine(l => l.Contains("listening", StringComparison.Ordinal), LogLimit), hub.ToString());

        using var jack = JackServer.Start("serve");
        using var alice = JackTripPeer.Start(jack, "alice", port);
        using var bob = JackTripPeer.Start(jack, "bob", port);
        using var mallory = JackTripPeer.Start(jack, "mallory", port);
        Assert.True(alice.WaitUntilConnected(RealPeers.ConnectLimit), $"{alice}\n{hub}");
        Assert.True(bob.WaitUntilConnected(RealPeers.ConnectLimit), $"{bob}\n{hub}");
        var joined = hub.WaitForLine(l => l.Contains("joined", StringComparison.Ordinal) && l.Contains("'alice'", StringComparison.Ordinal), LogLimit);
        var refused = hub.WaitForLine(l => l.Contains("refused 'mallory'", StringComparison.Ordinal), LogLimit);
        var statistics = hub.WaitForLine(l => l.Contains("'bob': in ", StringComparison.Ordinal), LogLimit);

        hub.Terminate();
        var exited = hub.WaitForExit(TimeSpan.FromSeconds(10));
        var aliceToldToStop = alice.Process.WaitForLine(l => l.Contains("Peer Stopped", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        output.WriteLine(hub.Output);

        Assert.True(joined, "no join logged");
        Assert.True(refused, "no refusal logged");
        Assert.True(statistics, "no statistics logged");
        Assert.True(exited, "serve did not exit within 10 s of SIGTERM");
        Assert.Equal(0, hub.ExitCode);
        Assert.Contains(hub.Lines, l => l.StartsWith("FINAL ", StringComparison.Ordinal));
        Assert.True(aliceToldToStop, $"alice was not sent the exit datagrams when the hub stopped:\n{alice}");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
