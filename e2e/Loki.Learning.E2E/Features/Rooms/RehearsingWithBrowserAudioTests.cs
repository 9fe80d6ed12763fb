using System.Diagnostics;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// A teacher and a pupil rehearse in a live room, each in their own Chromium whose fake microphone plays a
/// different tone (<see cref="ToneBrowsers"/>).
/// What each hears is read back from the page's audio diagnostics: energy at the other's tone in what was played.
public sealed class RehearsingWithBrowserAudioTests(BrowserFixture browser, LokiApp app) : ToneBrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string PupilName = "Elsa (Härnösand)";
    private const double TeacherTone = 440;
    private const double PupilTone = 660;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // A 0.5 amplitude tone reads about 0.1–0.3 through the room on a loaded machine (late blocks are dropped, gaps
    // are played as silence); silence reads 0.000. Hearing and not hearing are far apart on either side.
    private const double Hears = 0.02;
    private const double Silent = 0.005;

    private static Task EnterRoomAsync(IPage page, string roomPath) => ToneBrowsers.EnterRoomAsync(page, roomPath);

    private static Task ConnectAudioAsync(IPage page) => ToneBrowsers.ConnectAudioAsync(page, Patience);

    private static Task<double> HeardAsync(IPage page, double frequency) =>
        page.EvaluateAsync<double>("f => window.loki.audio.recentOutputLevel(f)", frequency);

    /// Polls a page's diagnostics; only an upper bound on patience (two shared cores).
    private static async Task WaitUntilAsync(IPage page, Func<Task<bool>> condition, Func<Task<string>> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                var stats = await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())");
                Assert.Fail($"Not within {Patience.TotalSeconds} s: {await what()}; stats {stats}");
            }
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task TeacherAndPupilHearEachOtherTheTeacherMutesThePupilAndAStrangerIsKeptOut()
    {
        var teacher = await PersonWithToneAsync(TeacherTone, DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await PersonWithToneAsync(PupilTone, DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await Expect(teacher.Heading(Ensemble, 1)).ToBeVisibleAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await EnterRoomAsync(teacher, roomPath);
        await ConnectAudioAsync(teacher);

        await EnterRoomAsync(pupil, roomPath);
        await ConnectAudioAsync(pupil);

        // Both appear in each other's roster as connected through the browser.
        await Expect(Roster(teacher).GetByRole(AriaRole.Listitem).Filter(new() { HasText = PupilName })).ToContainTextAsync("ansluten (webbläsare)", new() { Timeout = 30_000 });
        await Expect(Roster(pupil).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Tove" })).ToContainTextAsync("ansluten (webbläsare)", new() { Timeout = 30_000 });

        await WaitUntilAsync(teacher, async () => await HeardAsync(teacher, PupilTone) > Hears,
            async () => $"the teacher hears the pupil's {PupilTone} Hz (level {await HeardAsync(teacher, PupilTone):F3})");
        await WaitUntilAsync(pupil, async () => await HeardAsync(pupil, TeacherTone) > Hears,
            async () => $"the pupil hears the teacher's {TeacherTone} Hz (level {await HeardAsync(pupil, TeacherTone):F3})");

        Console.WriteLine($"LEVELS before mute: teacher hears {PupilTone} Hz at {await HeardAsync(teacher, PupilTone):F3}, pupil hears {TeacherTone} Hz at {await HeardAsync(pupil, TeacherTone):F3}; teacher stats {await teacher.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())")}");
        await teacher.Button($"Stäng av ljud för {PupilName}").ClickWhenInteractiveAsync();
        await Expect(Roster(teacher).GetByRole(AriaRole.Listitem).Filter(new() { HasText = PupilName })).ToContainTextAsync("avstängt");
        await WaitUntilAsync(teacher, async () => await HeardAsync(teacher, PupilTone) < Silent,
            async () => $"the pupil's tone is gone from the teacher's output (level {await HeardAsync(teacher, PupilTone):F3})");
        Console.WriteLine($"LEVELS after mute: teacher hears {PupilTone} Hz at {await HeardAsync(teacher, PupilTone):F3}");
        // The pupil is muted, not deaf.
        await WaitUntilAsync(pupil, async () => await HeardAsync(pupil, TeacherTone) > Hears,
            async () => $"the muted pupil still hears the teacher (level {await HeardAsync(pupil, TeacherTone):F3})");

        // Someone outside the ensemble: no room, no join, and the audio socket refuses a made-up token.
        var stranger = await LogInAsync("student@demo.loki.local", "Demo-student-2026");
        await stranger.OpenAsync(roomPath);
        await Expect(stranger.GetByRole(AriaRole.Alert)).ToContainTextAsync("Rummet finns inte, eller så är det inte ditt att gå med i.");
        await Expect(stranger.Button("Gå med")).ToHaveCountAsync(0);
        await Expect(stranger.Button("Anslut ljud")).ToHaveCountAsync(0);
        var reason = await stranger.EvaluateAsync<string>(
            """
            path => new Promise(resolve => {
                const url = new URL(path + '/audio?token=made-up', window.location.href);
                url.protocol = 'ws:';
                const socket = new WebSocket(url);
                socket.onclose = e => resolve(e.reason);
            })
            """, "/" + roomPath);
        Assert.Equal("Refusal.AudioTokenInvalid", reason);
    }

    /// The browser-side settings compared side by side with the product's (docs/benchmarks.md §7): the previous ones.
    /// Stored in the page's localStorage before it opens audio (room-audio.js tuning()). Each change alone was compared
    /// in earlier runs (§7.1); the suite keeps the one comparison that says whether the product's page still wins.
    private static readonly (string Name, string Tuning)[] Variants =
    [
        ("before: 'interactive' + fixed playback", """{"latencyHint":"interactive","playback":"fixed"}"""),
    ];

    [Fact]
    public async Task MouthToEarThroughTheRoomIsMeasuredWithAPulseThatComesBack()
    {
        var teacher = await PersonWithPulsesAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        // The second rehearsal's room: the other test in this class opens the first.
        await teacher.Link("Live-rum").Nth(1).ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        Console.WriteLine($"MOUTH-TO-EAR load average at start: {LoadAverage()}");

        // The product's own settings: the pulses come back, and the room shows the figure.
        await teacher.EvaluateAsync("() => localStorage.removeItem('loki.audio.tuning')");
        await EnterRoomAsync(teacher, roomPath);
        await ConnectAudioAsync(teacher);
        // Hearing oneself through the room: microphone → socket → jitter buffer → mix → socket → playback.
        await (await teacher.GetByLabel("Hör mig själv").WhenInteractiveAsync()).CheckAsync();
        var product = await MeasureLoopAsync(teacher, "product defaults, safe room");
        // A sanity bound, not the target: the pulses went through the room and came back as pulses.
        Assert.All(product.Trips, ms => Assert.InRange(ms, 2, 500));

        // "Your sound reaches the others in ≈ N ms": the same stages as the loop, the way up measured by the server and
        // the way down by this browser, so it is near what the pulse took plus the reported microphone path.
        var reach = teacher.Locator(".audio-state .reach");
        await Expect(reach).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^≈ \d+ ms till de andra$"), new() { Timeout = 30_000 });
        Assert.Matches(@"^Ditt ljud når de andra på ≈ \d+ ms\.$", await reach.GetAttributeAsync("title"));
        var shown = double.Parse(System.Text.RegularExpressions.Regex.Match(await reach.InnerTextAsync(), @"\d+").Value, System.Globalization.CultureInfo.InvariantCulture);
        var loop = product.Median + product.InputMs;
        Console.WriteLine($"MOUTH-TO-EAR figure shown {shown} ms; the pulse's loop p50 {product.Median:F1} ms + reported input {product.InputMs:F1} ms = {loop:F1} ms");
        Assert.InRange(shown, loop / 2, (loop * 2) + 10);
        // The figure sits on the own-status line and keeps it one line, at a laptop's size and a phone's.
        await Screenshots.TakeAsync(teacher, "room-sound-reaches-others", async page =>
        {
            var status = page.Locator(".room-side > p.audio-state");
            await status.ScrollIntoViewIfNeededAsync();
            var lineHeight = await status.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.5");
            var box = await status.BoundingBoxAsync();
            Assert.True(box is not null && box.Height < 1.6 * lineHeight, $"status line {box?.Height} px high at {page.ViewportSize!.Width} px, a line is {lineHeight} px");
        });
        await teacher.SetViewportSizeAsync(1366, 768);

        // The same in a tight room (ensemble playing, the policy the goal is about): the host switches it in the side
        // panel, the server's buffer for this browser and the page's playback buffer both follow it; the pulses must
        // still come back (concealment keeps the delay, it must not eat the signal).
        await (await teacher.GetByLabel("Tajt (ensemblespel)").WhenInteractiveAsync()).CheckAsync();
        await Expect(teacher.Locator("#link-policy-now")).ToContainTextAsync("tajt");
        await EnterRoomAsync(teacher, roomPath);
        await ConnectAudioAsync(teacher);
        await (await teacher.GetByLabel("Hör mig själv").WhenInteractiveAsync()).CheckAsync();
        // The goal is about playing together for minutes, not a connection's first seconds (its buffers learn the
        // link then, and the page's own start-up work lands in them): the pulses of 16 s more count.
        var tight = await MeasureLoopAsync(teacher, "product defaults, tight room", settle: TimeSpan.FromSeconds(16));
        Assert.All(tight.Trips, ms => Assert.InRange(ms, 2, 500));
        Assert.Equal("tight", (await teacher.EvaluateAsync<System.Text.Json.JsonElement>("() => window.loki.audio.path()")).GetProperty("linkPolicy").GetString());
        Console.WriteLine($"MOUTH-TO-EAR goal (ours p50 ≤ 12 ms, p95 ≤ 20 ms, tight room): p50 {tight.OursP50:F1} ms, p95 {tight.OursP95:F1} ms: {(tight.OursP50 <= 12 && tight.OursP95 <= 20 ? "met" : "missed")}; safe room p50 {product.OursP50:F1} ms, p95 {product.OursP95:F1} ms");

        // Side by side in one run (tight room): the browser-side settings before, against the product's just measured.
        foreach (var (name, tuning) in Variants)
        {
            await teacher.EvaluateAsync("t => localStorage.setItem('loki.audio.tuning', t)", tuning);
            await EnterRoomAsync(teacher, roomPath);
            await ConnectAudioAsync(teacher);
            await (await teacher.GetByLabel("Hör mig själv").WhenInteractiveAsync()).CheckAsync();
            await MeasureLoopAsync(teacher, name, mustComeBack: false);
        }
        await teacher.EvaluateAsync("() => localStorage.removeItem('loki.audio.tuning')");
        Console.WriteLine($"MOUTH-TO-EAR load average at the end: {LoadAverage()}");

        // Disconnecting ends the socket: the roster shows it and nothing more comes back.
        await teacher.Button("Ljud").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByText("Ditt ljud är inte anslutet.")).ToBeVisibleAsync();
        await Expect(Roster(teacher).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Tove" })).ToContainTextAsync("inte ansluten", new() { Timeout = 30_000 });
    }

    private sealed record Loop(double[] Trips, double Median, double InputMs, double OursP50 = double.NaN, double OursP95 = double.NaN);

    /// Waits for 32 pulses to come back on this connection, then prints the loop and where its time went: this browser's
    /// stages (window.loki.audio.path()) and the server's (the participant's engine snapshot).
    /// With <paramref name="mustComeBack"/> false (a compared setting, not the product's) it waits at most 60 s and
    /// reports what came back: the previous settings lose pulses on a loaded machine, which is part of the comparison.
    private async Task<Loop> MeasureLoopAsync(IPage page, string name, bool mustComeBack = true, TimeSpan settle = default)
    {
        double[] trips = [];
        var waited = Stopwatch.StartNew();
        // The node runs in this test's process: its collections pause the sockets, and the engine too when it runs there.
        var (gen0, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var media = App.Service<Loki.Learning.Web.Features.Rooms.RoomMedia>();
        long LatePeriods() => media.Engine?.LatePeriods ?? media.Child?.Timing.Late ?? 0;
        var late = LatePeriods();
        if (mustComeBack)
        {
            // 12, as before this measurement grew: on a machine at a load average of 50 fewer than 30 of 32 pulses may pair.
            await WaitUntilAsync(page, async () => (trips = await page.EvaluateAsync<double[]>("() => window.loki.audio.loopLatencies()")).Length >= 12,
                async () => $"12 pulses came back (now {(await page.EvaluateAsync<double[]>("() => window.loki.audio.loopLatencies()")).Length}; pulses {await page.EvaluateAsync<string>("async () => JSON.stringify(await window.loki.audio.pulseFrames())")}; 2 kHz played {await HeardAsync(page, 2000):F4})");
        }
        else
        {
            while ((trips = await page.EvaluateAsync<double[]>("() => window.loki.audio.loopLatencies()")).Length < 30 && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(500);
            }
            if (trips.Length == 0)
            {
                Console.WriteLine($"MOUTH-TO-EAR [{name}] no pulse came back in 60 s; stats {await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())")}");
                return new Loop([], double.NaN, 0);
            }
        }
        // The first pulses of a connection meet buffers still settling: the last 24 count.
        if (settle > TimeSpan.Zero)
        {
            var first = trips.Order().ToArray();
            Console.WriteLine($"MOUTH-TO-EAR [{name}] the connection's first {first.Length} pulses: total p50 {first[first.Length / 2]:F1} ms, p95 {first[(int)Math.Ceiling(0.95 * first.Length) - 1]:F1} ms");
            // A window of playing, not a wait for a condition: the page keeps the last 32 pulses, about 16 s. Meanwhile
            // the server's buffer for this browser, twice a second: whether its target sits at the cap or comes and goes.
            var targets = new List<string>();
            var window = Stopwatch.StartNew();
            while (window.Elapsed < settle)
            {
                await Task.Delay(500);
                var now = BrowserSnapshot();
                targets.Add(now is null ? "-" : $"{now.JitterBuffer.TargetDepthFrames / 48.0:F1}/{now.JitterBuffer.PlayDelayMicroseconds / 1000.0:F1}/{now.JitterBuffer.ConcealedPeriods}");
            }
            Console.WriteLine($"MOUTH-TO-EAR [{name}] server target/play delay ms/concealed every 0.5 s: {string.Join(" ", targets)}");
            trips = await page.EvaluateAsync<double[]>("() => window.loki.audio.loopLatencies()");
            Assert.True(trips.Length >= 12, $"{trips.Length} pulses came back in the {settle.TotalSeconds} s after the first ones");
        }
        var sorted = trips.TakeLast(24).Order().ToArray();
        var p50 = sorted[sorted.Length / 2];
        var p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1];
        var path = await page.EvaluateAsync<System.Text.Json.JsonElement>("() => window.loki.audio.path()");
        var outputMs = path.GetProperty("outputMs").GetDouble();
        var inputMs = path.GetProperty("inputMs").GetDouble();
        var server = BrowserSnapshot();
        var serverText = server is null ? "none" :
            $"oneWay {server.Latency.NetworkOneWay?.TotalMilliseconds:F1} ms, jitter buffer play delay {server.JitterBuffer.PlayDelayMicroseconds / 1000:F1} ms " +
            $"(target {server.JitterBuffer.TargetDepthFrames / 48.0:F1} ms, lateness quantile {server.JitterBuffer.JitterMicroseconds / 1000:F1} ms, concealed {server.JitterBuffer.ConcealedPeriods} of {server.JitterBuffer.PeriodsRead}, late {server.JitterBuffer.Late}, " +
            $"skipped {server.JitterBuffer.Skipped}, overruns {server.JitterBuffer.Overruns}; lateness of every block since it connected p50 {server.JitterBuffer.SeenLatenessP50Microseconds / 1000:F1} / p99 {server.JitterBuffer.SeenLatenessP99Microseconds / 1000:F1} / " +
            $"p99.9 {server.JitterBuffer.SeenLatenessP999Microseconds / 1000:F1} / max {server.JitterBuffer.SeenLatenessMaxMicroseconds / 1000:F1} ms), " +
            $"input hand-over p50 {server.ExternalPath?.InputWaitP50:F1} / p95 {server.ExternalPath?.InputWaitP95:F1} ms, output hand-over p50 {server.ExternalPath?.OutputWaitP50:F1} / p95 {server.ExternalPath?.OutputWaitP95:F1} ms";
        Console.WriteLine($"MOUTH-TO-EAR [{name}] {sorted.Length} pulses: total p50 {p50:F1} ms, p95 {p95:F1} ms; ours (minus reported output {outputMs:F1} ms and input {inputMs:F1} ms) " +
            $"p50 {p50 - outputMs:F1} ms, p95 {p95 - outputMs:F1} ms, min {sorted[0] - outputMs:F1} ms, max {sorted[^1] - outputMs:F1} ms; " +
            $"node process: {GC.CollectionCount(0) - gen0} collections ({GC.CollectionCount(2) - gen2} of gen 2), {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms paused in {waited.Elapsed.TotalSeconds:F0} s, mix periods late {LatePeriods() - late} (engine {(media.RunsInChild ? "in its own process" : "in the node's process")}); " +
            $"browser {path.GetRawText()}; server {serverText}; stats {await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())")}");
        return new Loop(sorted, p50, inputMs, p50 - outputMs, p95 - outputMs);
    }

    /// The engine's view of the newest browser participant (this test's one connection).
    private Loki.Learning.Media.Engine.ParticipantSnapshot? BrowserSnapshot() =>
        App.Service<Loki.Learning.Web.Features.Rooms.RoomMedia>().Statistics
            .Where(s => s.ClientName.StartsWith("browser-", StringComparison.Ordinal)).MaxBy(s => s.ParticipantId);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    /// The roster's mixer strips, not the latency budget in the studio panel, which lists the same people in pairs.
    private static ILocator Roster(IPage page) => page.Locator(".mixer-strips");
}
