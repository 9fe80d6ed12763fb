using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Tests.Rooms;

/// The browser's playback buffer for the room's mix (wwwroot/js/room-audio-playback.js), run in Node on simulated time:
/// the server's frames arrive one every 2.67 ms (give or take the network's jitter), and the audio thread takes its
/// 128-frame quanta in bursts, four at a time every 10.7 ms, as headless Chromium's output does. The figures are exact
/// counts of the simulation, not timing measurements.
public sealed class RoomAudioPlaybackTests
{
    private const string Simulation =
        """
        const { PlaybackBuffer, BLOCK } = await import(process.argv[1]);
        const o = JSON.parse(process.argv[2]);
        let seed = o.seed;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const period = 128 / 48000;
        const buffer = new PlaybackBuffer(o.mode, o.policy);
        const arrivals = [];
        for (let k = 0; k * period < o.seconds; k++) {
          let at = k * period + 0.001 + random() * o.jitterMs / 1000;
          if (k * period >= o.stallAt && k * period < o.stallAt + o.stallMs / 1000) {
            at = o.stallAt + o.stallMs / 1000 + 0.001;   // a stall on the way: the backlog arrives at once
          }
          if (o.hiccupEvery > 0) {
            // Half-way through every interval the way down hiccups: its frames arrive together at the end.
            const from = (Math.floor(k * period / o.hiccupEvery) + 0.5) * o.hiccupEvery;
            if (k * period >= from && k * period < from + o.hiccupMs / 1000) at = Math.max(at, from + o.hiccupMs / 1000 + 0.001);
          }
          arrivals.push(at);
        }
        arrivals.sort((a, b) => a - b);
        const out = new Float32Array(128);
        let next = 0, underrunsAfterWarmUp = 0, queuedAfterStall = [], waitsAfterWarmUp = [];
        const burstSeconds = o.burst * period;
        for (let wake = 0; wake * burstSeconds < o.seconds; wake++) {
          const now = (wake + 0.5) * burstSeconds;
          while (next < arrivals.length && arrivals[next] <= now) {
            const before = buffer.queued;
            buffer.push(new Float32Array(BLOCK).fill(0.25));
            next++;
            if (now >= o.warmUp) waitsAfterWarmUp.push(before);
          }
          for (let q = 0; q < o.burst; q++) {
            const underruns = buffer.stats.underruns;
            buffer.pull(out);
            if (now >= o.warmUp && buffer.stats.underruns > underruns) underrunsAfterWarmUp++;
          }
          if (o.stallAt > 0 && now > o.stallAt + o.stallMs / 1000 + 1.2) queuedAfterStall.push(buffer.queued);
        }
        waitsAfterWarmUp.sort((a, b) => a - b);
        console.log(JSON.stringify({
          medianWaitFrames: waitsAfterWarmUp[Math.floor(waitsAfterWarmUp.length / 2)],
          underrunsAfterWarmUp,
          dropped: buffer.stats.dropped,
          maxQueuedLate: queuedAfterStall.length ? Math.max(...queuedAfterStall) : 0,
        }));
        """;

    private static async Task<JsonObject> SimulateAsync(string mode, double jitterMs = 0, int burst = 4, double seconds = 30, double stallAt = 0, double stallMs = 0, int seed = 12345,
        string policy = "safe", double hiccupEvery = 0, double hiccupMs = 0)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Loki.Learning.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Repository root not found.");
        }
        var module = new Uri(Path.Combine(root, "src", "Loki.Learning.Web", "wwwroot", "js", "room-audio-playback.js")).AbsoluteUri;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        var options = FormattableString.Invariant(
            $$"""{"mode":"{{mode}}","jitterMs":{{jitterMs}},"burst":{{burst}},"seconds":{{seconds}},"stallAt":{{stallAt}},"stallMs":{{stallMs}},"seed":{{seed}},"warmUp":3,"policy":"{{policy}}","hiccupEvery":{{hiccupEvery}},"hiccupMs":{{hiccupMs}}}""");
        foreach (var argument in new[] { "--input-type=module", "-e", Simulation, module, options })
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
    public async Task OnASteadyLinkABlockWaitsOnlyForTheBurstThatPlaysIt()
    {
        var lean = await SimulateAsync("lean");

        // A burst of four takes what arrived over the last 10.7 ms: a block waits for 0–3 blocks ahead of it, 2 at the
        // median, and nothing more is kept.
        Assert.True(lean["medianWaitFrames"]!.GetValue<double>() <= 2 * 128, lean.ToJsonString());
        Assert.Equal(0, lean["underrunsAfterWarmUp"]!.GetValue<int>());
        Assert.Equal(0, lean["dropped"]!.GetValue<int>());
    }

    [Fact]
    public async Task JitterThatMadeThePreviousBufferStutterIsRiddenOutWithAMargin()
    {
        // Up to 10 ms of jitter on the way down. The previous buffer stops at every dry moment, waits for its target,
        // then overflows and drops: it keeps stuttering. The lean one runs dry a few times, keeps a margin after each
        // such second, and plays on.
        var lean = await SimulateAsync("lean", jitterMs: 10, seconds: 60);
        var fixedBuffer = await SimulateAsync("fixed", jitterMs: 10, seconds: 60);

        Assert.True(lean["underrunsAfterWarmUp"]!.GetValue<int>() <= 20, lean.ToJsonString());
        Assert.True(fixedBuffer["underrunsAfterWarmUp"]!.GetValue<int>() >= 100, fixedBuffer.ToJsonString());
        Assert.True(lean["medianWaitFrames"]!.GetValue<double>() <= 5 * 128, lean.ToJsonString());
    }

    [Fact]
    public async Task InATightRoomAHiccupOnTheWayDownIsFadedOverAndItsTimeIsNotKept()
    {
        // One quantum per wake-up (latencyHint 0), a millisecond of jitter, and every second the way down holds its
        // frames for 11 ms (a thread hiccup, docs/benchmarks.md §7.1). Safe keeps the hiccup's time as margin so the
        // next one plays through; tight fades over each and keeps at most two blocks, so a block waits a block or less.
        var tight = await SimulateAsync("lean", jitterMs: 1, burst: 1, seconds: 60, policy: "tight", hiccupEvery: 1, hiccupMs: 11);
        var safe = await SimulateAsync("lean", jitterMs: 1, burst: 1, seconds: 60, policy: "safe", hiccupEvery: 1, hiccupMs: 11);

        Assert.True(tight["medianWaitFrames"]!.GetValue<double>() <= 128, tight.ToJsonString());
        Assert.True(safe["medianWaitFrames"]!.GetValue<double>() >= 3 * 128, safe.ToJsonString());
        Assert.True(safe["underrunsAfterWarmUp"]!.GetValue<int>() < tight["underrunsAfterWarmUp"]!.GetValue<int>(), $"tight {tight.ToJsonString()}, safe {safe.ToJsonString()}");
        // The price stays one short fade per hiccup: no more dry quanta than the hiccups' length, 57 of them after the warm-up.
        Assert.True(tight["underrunsAfterWarmUp"]!.GetValue<int>() <= 57 * 5, tight.ToJsonString());
    }

    [Fact]
    public async Task OnAQuietLinkBothPoliciesWaitLessThanABlock()
    {
        foreach (var policy in new[] { "tight", "safe" })
        {
            var lean = await SimulateAsync("lean", jitterMs: 1, burst: 1, seconds: 30, policy: policy);

            Assert.True(lean["medianWaitFrames"]!.GetValue<double>() < 128, $"{policy}: {lean.ToJsonString()}");
            Assert.Equal(0, lean["underrunsAfterWarmUp"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task ABacklogAfterAStallIsDroppedWithinASecond()
    {
        var lean = await SimulateAsync("lean", seconds: 10, stallAt: 5, stallMs: 150);

        // 150 ms of frames arrive at once; a second later the buffer holds no more than the bursts need.
        Assert.True(lean["dropped"]!.GetValue<int>() >= 40, lean.ToJsonString());
        Assert.True(lean["maxQueuedLate"]!.GetValue<double>() <= 4 * 128, lean.ToJsonString());
    }
}
