using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Metronome;

/// The metronome's map between the page's clock and the audio clock (wwwroot/js/audio-clock.js), run in Node on
/// simulated getOutputTimestamp pairs: the audio thread is now and then a few ms late, and the clicks must still be
/// an exact beat apart in the audio clock. Time is simulated, so these are exact checks, not timing tests.
public sealed class AudioClockMapTests
{
    // Stamps every 25 ms (one per scheduling pass). The true relation is local = context·1000 + 1000 + drift; one
    // pair in eight comes from a late audio thread, its page time 2–8 ms late. A click every 500 ms of page time is
    // mapped to the audio clock both through the map and through the newest raw pair, as the page did before.
    private const string Simulation =
        """
        const { AudioClockMap } = await import(process.argv[1]);
        const options = JSON.parse(process.argv[2]);
        let seed = 12345;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const map = new AudioClockMap();
        let jumped = 0;
        const trueOffset = (t) => 1000 + (t * options.driftPpm) / 1e6 + (t >= options.jumpAtMs ? options.jumpMs : 0);
        let raw = null;
        const smoothGaps = [], rawGaps = [], errorsAfterJump = [];
        let lastSmooth = null, lastRaw = null;
        for (let t = 0; t <= options.seconds * 1000; t += 25) {
          const late = random() < 0.125 ? 2 + 6 * random() : 0;
          const contextTime = (t - trueOffset(t)) / 1000;
          map.addStamp(contextTime, t + late);
          raw = { contextTime, local: t + late };
          if (t % 500 === 0 && t >= 2000) {
            const smooth = map.contextTimeFor(t + 200);
            const fromRaw = raw.contextTime + (t + 200 - raw.local) / 1000;
            if (lastSmooth !== null && !(t - 500 < options.jumpAtMs && t >= options.jumpAtMs)) {
              smoothGaps.push(Math.abs((smooth - lastSmooth) * 1000 - 500));
              rawGaps.push(Math.abs((fromRaw - lastRaw) * 1000 - 500));
            }
            lastSmooth = smooth;
            lastRaw = fromRaw;
            if (t >= options.jumpAtMs + 250) {
              errorsAfterJump.push(Math.abs(smooth - (t + 200 - trueOffset(t + 200)) / 1000) * 1000);
            }
          }
        }
        console.log(JSON.stringify({
          smoothMaxMs: Math.max(...smoothGaps),
          rawMaxMs: Math.max(...rawGaps),
          errorAfterJumpMaxMs: errorsAfterJump.length ? Math.max(...errorsAfterJump) : 0,
        }));
        """;

    private static async Task<JsonObject> SimulateAsync(double seconds, double driftPpm = 0, double jumpAtMs = double.MaxValue, double jumpMs = 0)
    {
        var settings = $$"""{"seconds":{{seconds}},"driftPpm":{{driftPpm}},"jumpAtMs":{{(jumpAtMs == double.MaxValue ? "1e18" : jumpAtMs.ToString(System.Globalization.CultureInfo.InvariantCulture))}},"jumpMs":{{jumpMs}}}""";
        return await NodeScript.RunAsync("--input-type=module", "-e", Simulation, NodeScript.PageScript("audio-clock.js"), settings);
    }

    [Fact]
    public async Task ClicksStayABeatApartInTheAudioClockWhenTheAudioThreadRunsLateNowAndThen()
    {
        var result = await SimulateAsync(seconds: 60);

        // The raw pairs move single clicks by the audio thread's lateness; the map does not.
        Assert.True(result["rawMaxMs"]!.GetValue<double>() > 2, result.ToJsonString());
        Assert.InRange(result["smoothMaxMs"]!.GetValue<double>(), 0, 0.3);
    }

    [Fact]
    public async Task TheMapFollowsAnAudioClockThatDrifts()
    {
        // 100 ppm is a poor sound card; over 60 s the clocks part by 6 ms.
        var result = await SimulateAsync(seconds: 60, driftPpm: 100, jumpAtMs: 2000, jumpMs: 0);

        Assert.InRange(result["errorAfterJumpMaxMs"]!.GetValue<double>(), 0, 0.5);
        Assert.InRange(result["smoothMaxMs"]!.GetValue<double>(), 0, 0.3);
    }

    [Fact]
    public async Task AfterASuspendedContextTheMapStepsToTheNewRelationWithinAFewPasses()
    {
        // The context was suspended for 3 s at 30 s: its clock stood still while the page's went on.
        var result = await SimulateAsync(seconds: 40, jumpAtMs: 30_000, jumpMs: 3000);

        Assert.InRange(result["errorAfterJumpMaxMs"]!.GetValue<double>(), 0, 0.5);
    }
}
