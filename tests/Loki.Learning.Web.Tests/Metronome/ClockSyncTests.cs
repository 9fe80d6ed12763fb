using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Metronome;

/// The page's clock estimator (wwwroot/js/clock-sync.js) under simulated paths, run by bench/beat-sync.mjs in Node:
/// the same code the browser runs. Time is simulated, so these are exact checks of the model, not timing tests.
public sealed class ClockSyncTests
{
    private static Task<JsonObject> SimulateAsync(params string[] arguments) =>
        NodeScript.RunAsync(["bench/beat-sync.mjs", .. arguments, "--json"]);

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
