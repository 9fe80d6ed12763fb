using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// A teacher and a pupil rehearse in a live room, each in their own Chromium whose fake microphone plays a
/// different tone from a generated WAV file (the file is a per-process switch, hence two browser processes).
/// What each hears is read back from the page's audio diagnostics: energy at the other's tone in what was played.
public sealed class RehearsingWithBrowserAudioTests(BrowserFixture browser, LokiApp app) : ToneBrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string PupilName = "Elsa (Härnösand)";
    private const double TeacherTone = 440;
    private const double PupilTone = 660;
    // A 0.5 amplitude tone reads about 0.1–0.3 through the room on a loaded machine (late blocks are dropped, gaps
    // are played as silence); silence reads 0.000. Hearing and not hearing are far apart on either side.
    private const double Hears = 0.02;
    private const double Silent = 0.005;

    private Task<IPage> PersonWithToneAsync(double frequency, string login, string password) => Tones.PersonWithToneAsync(frequency, login, password);

    private static Task EnterRoomAsync(IPage page, string roomPath) => ToneBrowsers.EnterRoomAsync(page, roomPath);

    private static Task ConnectAudioAsync(IPage page) => ToneBrowsers.ConnectAudioAsync(page);

    private static Task<double> HeardAsync(IPage page, double frequency) =>
        page.EvaluateAsync<double>("f => window.loki.audio.recentOutputLevel(f)", frequency);

    /// Polls until <paramref name="condition"/> holds; the failure message includes the page's audio statistics.
    private static Task WaitUntilAsync(IPage page, Func<Task<bool>> condition, Func<Task<string>> what) =>
        ToneBrowsers.WaitUntilAsync(condition, async () => $"{await what()}; stats {await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())")}");

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
        await Expect(Roster(teacher).GetByRole(AriaRole.Row).Filter(new() { HasText = PupilName })).ToContainTextAsync("ansluten (webbläsare)", new() { Timeout = 30_000 });
        await Expect(Roster(pupil).GetByRole(AriaRole.Row).Filter(new() { HasText = "Tove" })).ToContainTextAsync("ansluten (webbläsare)", new() { Timeout = 30_000 });

        await WaitUntilAsync(teacher, async () => await HeardAsync(teacher, PupilTone) > Hears,
            async () => $"the teacher hears the pupil's {PupilTone} Hz (level {await HeardAsync(teacher, PupilTone):F3})");
        await WaitUntilAsync(pupil, async () => await HeardAsync(pupil, TeacherTone) > Hears,
            async () => $"the pupil hears the teacher's {TeacherTone} Hz (level {await HeardAsync(pupil, TeacherTone):F3})");

        Console.WriteLine($"LEVELS before mute: teacher hears {PupilTone} Hz at {await HeardAsync(teacher, PupilTone):F3}, pupil hears {TeacherTone} Hz at {await HeardAsync(pupil, TeacherTone):F3}; teacher stats {await teacher.EvaluateAsync<string>("() => JSON.stringify(window.loki.audio.stats())")}");
        await teacher.Button($"Stäng av ljudet för {PupilName}").ClickWhenInteractiveAsync();
        await Expect(Roster(teacher).GetByRole(AriaRole.Row).Filter(new() { HasText = PupilName })).ToContainTextAsync("avstängt");
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

    /// The roster table (its caption names it), not the latency budget below it, which lists the same people in pairs.
    private static ILocator Roster(IPage page) =>
        page.GetByRole(AriaRole.Table, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Deltagare") });
}
