using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Recordings;

/// A teacher and a pupil rehearse with fake microphones and the metronome running; the teacher records, stops, opens
/// the review page, sees the waveforms and pins a comment to bar 5; the pupil sees it and replies; a stranger gets
/// nothing, not even the files.
public sealed class RecordingARehearsalTests(BrowserFixture browser, LokiApp app) : ToneBrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TheTeacherRecordsCommentsOnBarFiveAndThePupilSeesItWhileAStrangerGetsNothing()
    {
        var teacher = await PersonWithToneAsync(440, DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await PersonWithToneAsync(660, DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await ToneBrowsers.EnterRoomAsync(teacher, roomPath);
        await ToneBrowsers.ConnectAudioAsync(teacher, Patience);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await ToneBrowsers.ConnectAudioAsync(pupil, Patience);

        await teacher.GetByLabel("Tempo (slag/min)").FillAsync("120");
        await teacher.Button("Starta med inräkning").ClickWhenInteractiveAsync();
        await teacher.Button("Starta inspelning").ClickWhenInteractiveAsync();
        // Everyone in the room sees that it is being recorded.
        await Expect(pupil.Heading("Inspelning pågår", 2)).ToBeVisibleAsync();
        await Expect(teacher.GetByText("Alla som är anslutna spelas in.")).ToBeVisibleAsync();
        await teacher.GetByLabel("Markörens namn").FillAsync("Början");
        await teacher.Button("Sätt en markör").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByText("Satta markörer: 1")).ToBeVisibleAsync();
        // At 120 BPM in 4/4 a bar lasts 2 s: after the count-in, bar 5 starts about 10 s in.
        await Task.Delay(TimeSpan.FromSeconds(16));
        await teacher.Button("Stoppa inspelning").ClickWhenInteractiveAsync();
        await Expect(pupil.Heading("Inspelning pågår", 2)).ToHaveCountAsync(0);

        await teacher.Link("Lyssna på inspelningen").ClickAsync();
        await teacher.WaitUntilInteractiveAsync();
        var reviewPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await Expect(teacher.Heading("Lyssna", 2)).ToBeVisibleAsync();
        // The mix and both tracks are drawn once decoded.
        await teacher.WaitForFunctionAsync(
            "() => { const s = window.loki?.review?.state(); return s && s.lanes.length === 3 && s.lanes.every(l => l.decoded); }",
            null, new() { Timeout = (float)Patience.TotalMilliseconds });
        await Expect(teacher.Locator(".recording-lane .wave").First).ToBeVisibleAsync();
        await Expect(teacher.Locator(".recording-ruler .marker")).ToHaveTextAsync("Början");
        await teacher.Button("Solo Elsa (Härnösand)").ClickWhenInteractiveAsync();
        // Solo: only that track is heard in the browser.
        await Expect(teacher.Button("Solo Elsa (Härnösand)")).ToHaveAttributeAsync("aria-pressed", "true");
        await teacher.WaitForFunctionAsync(
            "() => { const lanes = window.loki.review.state().lanes; return lanes.filter(l => l.audible).length === 1 && lanes.find(l => l.audible).solo; }");

        await teacher.GetByLabel("Takt", new() { Exact = true }).FillAsync("5");
        await teacher.GetByLabel("Kommentar", new() { Exact = true }).FillAsync("Stråkarna släpar här");
        await teacher.Button("Fäst kommentaren").ClickAsync();
        await Expect(teacher.Locator(".recording-comment")).ToContainTextAsync("Takt 5");

        // The export arrives with a progress bar, then downloads as a zip.
        var download = await teacher.RunAndWaitForDownloadAsync(() => teacher.Button("Ladda ner zip").ClickWhenInteractiveAsync());
        Assert.EndsWith(".zip", download.SuggestedFilename, StringComparison.Ordinal);
        await Expect(teacher.GetByText("Nedladdad.")).ToBeVisibleAsync();
        await Expect(teacher.GetByRole(AriaRole.Progressbar, new() { Name = "Exportens förlopp" })).ToHaveAttributeAsync("value", "1");

        var accessibility = await teacher.SeriousAccessibilityViolationsAsync();
        Assert.True(accessibility.Count == 0, string.Join(Environment.NewLine, accessibility));

        await pupil.OpenAsync(reviewPath);
        var thread = pupil.Locator(".recording-comment");
        await Expect(thread).ToContainTextAsync("Stråkarna släpar här");
        await Expect(thread).ToContainTextAsync("Takt 5");
        await Expect(pupil.Button("Fäst kommentaren")).ToHaveCountAsync(0);
        await pupil.GetByLabel("Svar").FillAsync("Jag övar på det");
        await pupil.Button("Skicka svar").ClickAsync();
        await Expect(thread).ToContainTextAsync("Jag övar på det");

        var mixUrl = "/" + reviewPath + "/files/mix.wav";
        Assert.Equal(200, await StatusAsync(pupil, mixUrl));
        var stranger = await LogInAsync("student@demo.loki.local", "Demo-student-2026");
        await stranger.OpenAsync(reviewPath);
        await Expect(stranger.GetByRole(AriaRole.Alert)).ToContainTextAsync("Inspelningen hittades inte.");
        await Expect(stranger.GetByText("Stråkarna släpar här")).ToHaveCountAsync(0);
        Assert.Equal(404, await StatusAsync(stranger, mixUrl));
        Assert.Equal(404, await StatusAsync(stranger, "/api/" + reviewPath + "/export"));
    }

    private static Task<int> StatusAsync(IPage page, string url) =>
        page.EvaluateAsync<int>("url => fetch(url, { credentials: 'same-origin' }).then(r => r.status)", url);
}
