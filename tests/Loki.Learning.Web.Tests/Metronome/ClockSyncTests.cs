using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Tests.Metronome;

/// The page's clock estimator (wwwroot/js/clock-sync.js) under simulated paths, run by bench/beat-sync.mjs in Node:
/// the same code the browser runs. Time is simulated, so these are exact checks of the model, not timing tests.
public sealed class ClockSyncTests
{
    private static async Task<JsonObject> SimulateAsync(params string[] arguments)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Loki.Learning.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Repository root not found.");
        }
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        start.ArgumentList.Add("bench/beat-sync.mjs");
        foreach (var argument in arguments.Append("--json"))
        {
            start.ArgumentList.Add(argument);
        }
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, await errors);
        return JsonNode.Parse(await output)!.AsObject();
    }

    [Fact]
    public async Task ClientsOnJitteryPathsClickTheSameBeatWithinAMillisecond()
    {
        var result = await SimulateAsync("--clients", "20", "--seconds", "60", "--seed", "7");

        Assert.InRange(result["pairwiseP99Ms"]!.GetValue<double>(), 0, 1.0);
        Assert.InRange(result["errorP99Ms"]!.GetValue<double>(), 0, 1.0);
    }

    [Fact]
    public async Task AnAsymmetricPathShowsAsUncertaintyAtLeastAsLargeAsTheErrorItCauses()
    {
        // 30 ms to the server, 10 ms back: the estimate is off by (30 − 10) / 2 = 10 ms, which no exchange can see.
        var result = await SimulateAsync("--clients", "4", "--seconds", "30", "--up-ms", "30", "--down-ms", "10", "--jitter-ms", "2", "--drift-ppm", "0");

        foreach (var client in result["perClient"]!.AsArray())
        {
            var error = client!["offsetErrorMs"]!.GetValue<double>();
            Assert.InRange(error, 9, 11);
            Assert.True(client["reportedUncertaintyMs"]!.GetValue<double>() >= Math.Abs(error), client.ToJsonString());
        }
    }

    [Fact]
    public async Task AClientJoiningMidPieceIsInPhaseWithinTwoSeconds()
    {
        var result = await SimulateAsync("--clients", "10", "--seconds", "70", "--join-at-s", "60", "--seed", "3");

        Assert.True(result["joiner"]!["beats"]!.GetValue<int>() >= 3);
        Assert.InRange(result["joiner"]!["errorMaxMs"]!.GetValue<double>(), 0, 1.0);
    }

    [Fact]
    public async Task ATempoChangeLandsOnTheSameBarLineForEveryClient()
    {
        var result = await SimulateAsync("--clients", "10", "--seconds", "60", "--seed", "5");

        var change = result["tempoChange"]!;
        Assert.Equal(0, change["beatInBar"]!.GetValue<int>());
        Assert.InRange(change["spreadMs"]!.GetValue<double>(), 0, 2.0);
    }
}
