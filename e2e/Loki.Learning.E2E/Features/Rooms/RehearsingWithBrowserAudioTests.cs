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
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await Expect(teacher.Heading(Ensemble, 1)).ToBeVisibleAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await EnterRoomAsync(teacher, roomPath);
        await ConnectAudioAsync(teacher);

        var pupil = await PersonWithToneAsync(PupilTone, DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
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
        await EnterRoomAsync(teacher, roomPath);
        await ConnectAudioAsync(teacher);
        // Hearing oneself through the room: microphone → socket → jitter buffer → mix → socket → playback.
        await (await teacher.GetByLabel("Hör mig själv").WhenInteractiveAsync()).CheckAsync();

        double[] trips = [];
        await WaitUntilAsync(teacher, async () => (trips = await teacher.EvaluateAsync<double[]>("() => window.loki.audio.loopLatencies()")).Length >= 12,
            async () => $"12 pulses came back (now {(await teacher.EvaluateAsync<double[]>("() => window.loki.audio.loopLatencies()")).Length}; pulses {await teacher.EvaluateAsync<string>("async () => JSON.stringify(await window.loki.audio.pulseFrames())")}; 2 kHz played {await HeardAsync(teacher, 2000):F4})");
        var sorted = trips.Order().ToArray();
        var p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1];
        Console.WriteLine($"MOUTH-TO-EAR through the room (loopback, self-monitor): {sorted.Length} pulses, p50 {sorted[sorted.Length / 2]:F1} ms, p95 {p95:F1} ms, min {sorted[0]:F1} ms, max {sorted[^1]:F1} ms; stats {await teacher.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())")}; pulses {await teacher.EvaluateAsync<string>("async () => JSON.stringify(await window.loki.audio.pulseFrames())")}; latency {await teacher.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.outputLatency())")}; server sees {await teacher.EvaluateAsync<string>("async path => JSON.stringify((await (await fetch('/api/' + path)).json()).view.roster.map(p => ({ oneWayMs: p.oneWayMs, jitterMs: p.jitterMs })))", roomPath)}");
        // A sanity bound, not the target: the pulses went through the room and came back as pulses.
        Assert.All(sorted, ms => Assert.InRange(ms, 2, 500));

        // Disconnecting ends the socket: the roster shows it and nothing more comes back.
        await teacher.Button("Ljud").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByText("Ditt ljud är inte anslutet.")).ToBeVisibleAsync();
        await Expect(Roster(teacher).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Tove" })).ToContainTextAsync("inte ansluten", new() { Timeout = 30_000 });
    }

    /// The roster's mixer strips, not the latency budget in the studio panel, which lists the same people in pairs.
    private static ILocator Roster(IPage page) => page.Locator(".mixer-strips");
}
