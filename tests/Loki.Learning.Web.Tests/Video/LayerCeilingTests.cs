using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Video;

/// The ceiling on the simulcast layers a page asks for (wwwroot/js/video-layers.js), run in Node on simulated samples
/// of the incoming video (packets received and lost every 2 s), seeded: exact checks of the rule, no timing.
public sealed class LayerCeilingTests
{
    // Each phase is [samples, packets per sample, loss share]; the loss of a sample is drawn packet by packet.
    private const string Simulation =
        """
        const { LayerCeiling } = await import(process.argv[1]);
        const phases = JSON.parse(process.argv[2]);
        let seed = 4242;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const ceiling = new LayerCeiling();
        const trace = [];
        for (const [samples, packets, loss] of phases) {
          for (let i = 0; i < samples; i++) {
            let lost = 0;
            for (let p = 0; p < packets; p++) { if (random() < loss) { lost++; } }
            trace.push(ceiling.sample(packets - lost, lost));
          }
        }
        console.log(JSON.stringify({ trace }));
        """;

    private static async Task<int[]> TraceAsync(params (int Samples, int Packets, double Loss)[] phases)
    {
        var json = new JsonArray(phases.Select(p => (JsonNode)new JsonArray(p.Samples, p.Packets, p.Loss)).ToArray()).ToJsonString();
        var result = await NodeScript.RunAsync("--input-type=module", "-e", Simulation, NodeScript.PageScript("video-layers.js"), json);
        return result["trace"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
    }

    [Fact]
    public async Task ACleanLinkKeepsFullSizePictures()
    {
        var trace = await TraceAsync((60, 400, 0.002));

        Assert.All(trace, layer => Assert.Equal(2, layer));
    }

    [Fact]
    public async Task ALinkThatLosesPacketsStepsDownALayerAtATimeToTheQuarterLayer()
    {
        var trace = await TraceAsync((10, 400, 0), (20, 400, 0.12));

        Assert.All(trace[..10], layer => Assert.Equal(2, layer));
        // Two bad samples in a row per step: 4 s after the loss began the half layer, 4 s later the quarter, and it stays.
        Assert.Equal(2, trace[10]);
        Assert.Equal(1, trace[11]);
        Assert.Equal(0, trace[13]);
        Assert.All(trace[13..], layer => Assert.Equal(0, layer));
    }

    [Fact]
    public async Task OneBadSampleOrAFewPacketsSayNothing()
    {
        // A single lossy sample between clean ones (a burst, a Wi-Fi hiccup) and samples of a handful of packets.
        var trace = await TraceAsync((5, 400, 0), (1, 400, 0.3), (5, 400, 0), (1, 400, 0.3), (10, 20, 0.5));

        Assert.All(trace, layer => Assert.Equal(2, layer));
    }

    [Fact]
    public async Task WhenTheLinkRecoversTheLayersComeBackOneByOneAndAFailedTryWaitsLongerBeforeTheNext()
    {
        // Lossy down to the quarter layer, then clean: a layer up after 5 clean samples, the next 5 later.
        var recovered = await TraceAsync((6, 400, 0.12), (12, 400, 0));
        Assert.Equal(0, recovered[5]);
        Assert.Equal(0, recovered[9]);
        Assert.Equal(1, recovered[10]);
        Assert.Equal(1, recovered[14]);
        Assert.Equal(2, recovered[15]);

        // A link that loses packets only at the larger layer: each try up fails, and the tries come ever further apart.
        var trace = await TraceAsync((6, 400, 0.12), (5, 400, 0), (2, 400, 0.12), (10, 400, 0), (2, 400, 0.12), (30, 400, 0));
        var ups = trace.Select((layer, i) => (layer, i)).Where(x => x.i > 0 && x.layer > trace[x.i - 1]).Select(x => x.i).ToArray();
        // The first try after 5 clean samples, the next after 10, then 20: a link that cannot carry more is asked less often.
        Assert.Equal([10, 22, 44], ups);
    }
}
