using System.Diagnostics;
using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Metronome;

/// The teacher and a pupil, each in a Chromium process of their own, follow the room's metronome. Each page schedules
/// its clicks in its own audio clock from its own estimate of the server clock; both run on this machine, so their
/// onsets read in the machine's clock (localEpochMs) can be compared directly.
public sealed class OneBeatAcrossBrowsersTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>, IAsyncLifetime
{
    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private IPlaywright? _playwright;
    private IBrowser? _secondBrowser;

    async Task IAsyncLifetime.InitializeAsync() => _playwright = await Playwright.CreateAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_secondBrowser is not null)
        {
            await _secondBrowser.CloseAsync();
        }
        _playwright?.Dispose();
    }

    private async Task<IPage> InASecondBrowserAsync(string login, string password)
    {
        _secondBrowser = await _playwright!.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
        var context = await _secondBrowser.NewContextAsync(new() { BaseURL = App.BaseAddress.ToString(), Locale = "sv-SE", TimezoneId = "Europe/Stockholm" });
        context.SetDefaultTimeout(30_000);
        await context.AddInitScriptAsync(PageActions.InteractivityProbe);
        var page = await context.NewPageAsync();
        await page.LogInAsync(login, password);
        return page;
    }

    private sealed record Onset(double Beat, double EpochMs, double LocalEpochMs, int Bar, int BeatInBar, bool CountIn);

    private static async Task<List<Onset>> OnsetsAsync(IPage page) =>
        JsonSerializer.Deserialize<List<Onset>>(
            await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.metronome.recentOnsets())"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, $"Not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(200);
        }
    }

    /// Bar and beat now, as a single beat count (bar × beats per bar + beat), from the page's own clock.
    private static Task<double> BeatsNowAsync(IPage page) =>
        page.EvaluateAsync<double>("() => { const p = window.loki.metronome.position(); return p.bar * p.beatsPerBar + p.beat - 1 + p.fraction; }");

    private static async Task<double> ClockSamplesAsync(IPage page) =>
        await page.EvaluateAsync<double>("() => window.loki.metronome.clock().samples");

    [Fact]
    public async Task TwoBrowsersClickTogetherFollowATempoChangeOnABarLineAndAJump()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        await Expect(teacher.Heading("Metronom och puls", 2)).ToBeVisibleAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath;
        // The shared browser keeps audio off until a gesture: a click on the page is one.
        await teacher.Locator(".room-head h1").ClickAsync();

        var pupil = await InASecondBrowserAsync(DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
        await pupil.OpenAsync(roomPath.TrimStart('/'));
        await Expect(pupil.Heading("Metronom och puls", 2)).ToBeVisibleAsync();
        // A pupil sees the metronome but has no controls.
        await Expect(pupil.Button("Starta med inräkning")).ToHaveCountAsync(0);

        foreach (var page in new[] { teacher, pupil })
        {
            await WaitUntilAsync(async () => await ClockSamplesAsync(page) >= 10, "both pages have measured the server clock");
        }

        await teacher.GetByLabel("Tempo (slag/min)").FillAsync("120");
        await teacher.Button("Ändra tempo").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByText("120 slag/min · 4/4")).ToBeVisibleAsync();
        await teacher.Button("Starta med inräkning").ClickWhenInteractiveAsync();

        // The API says the same as the pages: running, and a pupil may read it but not change it.
        var api = await pupil.EvaluateAsync<JsonElement>(
            """
            async path => {
                const get = await fetch('/api' + path + '/beat');
                const put = await fetch('/api' + path + '/beat', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ running: false }) });
                return { running: (await get.json()).running, put: put.status };
            }
            """, roomPath);
        Assert.True(api.GetProperty("running").GetBoolean());
        Assert.Equal(403, api.GetProperty("put").GetInt32());

        await WaitUntilAsync(async () => (await OnsetsAsync(teacher)).Count(o => !o.CountIn) >= 16 && (await OnsetsAsync(pupil)).Count(o => !o.CountIn) >= 16,
            "both pages have scheduled 16 beats after the count-in");
        var mine = (await OnsetsAsync(teacher)).ToDictionary(o => o.Beat);
        var theirs = (await OnsetsAsync(pupil)).ToDictionary(o => o.Beat);
        var apart = mine.Keys.Intersect(theirs.Keys).Select(beat => Math.Abs(mine[beat].LocalEpochMs - theirs[beat].LocalEpochMs)).Order().ToList();
        var p95 = apart[(int)Math.Ceiling(0.95 * apart.Count) - 1];
        Console.WriteLine($"BEAT SYNC two browsers: {apart.Count} common beats, apart p50 {apart[apart.Count / 2]:F3} ms, p95 {p95:F3} ms, max {apart[^1]:F3} ms; teacher clock {await teacher.EvaluateAsync<string>("() => JSON.stringify(window.loki.metronome.clock())")}; pupil clock {await pupil.EvaluateAsync<string>("() => JSON.stringify(window.loki.metronome.clock())")}");
        Assert.True(apart.Count >= 12, $"only {apart.Count} beats in common");
        Assert.True(p95 <= 2.0, $"onsets p95 {p95:F3} ms apart");
        // Every beat of a bar is one beat after the last: 500 ms at 120 BPM.
        var beats = mine.Values.Where(o => !o.CountIn).OrderBy(o => o.Beat).ToList();
        Assert.All(beats.Zip(beats.Skip(1)), pair => Assert.Equal(500, pair.Second.EpochMs - pair.First.EpochMs, 1.0));

        // A tempo change lands on a bar line: the gap before the first beat of the new tempo is still 500 ms, after it 750 ms.
        await teacher.GetByLabel("Tempo (slag/min)").FillAsync("80");
        await teacher.Button("Ändra tempo").ClickWhenInteractiveAsync();
        await WaitUntilAsync(async () => (await OnsetsAsync(pupil)).OrderBy(o => o.Beat).Zip((await OnsetsAsync(pupil)).OrderBy(o => o.Beat).Skip(1)).Count(p => p.Second.EpochMs - p.First.EpochMs > 700) >= 4,
            "the pupil's clicks slow down to 80 BPM");
        var slowed = (await OnsetsAsync(pupil)).Where(o => !o.CountIn).OrderBy(o => o.Beat).ToList();
        var firstSlow = slowed.Zip(slowed.Skip(1)).First(p => p.Second.EpochMs - p.First.EpochMs > 700).First;
        Assert.Equal(1, firstSlow.BeatInBar);
        Assert.All(slowed.Zip(slowed.Skip(1)), pair => Assert.Contains(Math.Round(pair.Second.EpochMs - pair.First.EpochMs), new double[] { 499, 500, 501, 749, 750, 751 }));

        // The teacher jumps to bar 9: from the next bar line both count from there, within a beat of each other.
        await teacher.GetByLabel("Takt", new() { Exact = true }).FillAsync("9");
        await teacher.Button("Gå till takt").ClickWhenInteractiveAsync();
        await WaitUntilAsync(async () => int.TryParse(await pupil.Locator("#beat-counter").GetAttributeAsync("data-bar"), out var bar) && bar >= 9,
            "the pupil's bar counter reaches bar 9");
        var (teacherBeats, pupilBeats) = (await BeatsNowAsync(teacher), await BeatsNowAsync(pupil));
        Assert.InRange(Math.Abs(teacherBeats - pupilBeats), 0, 1);
        await Expect(pupil.Locator("#beat-counter")).ToContainTextAsync("Takt ");

        await teacher.Button("Stoppa").ClickWhenInteractiveAsync();
        await Expect(pupil.Locator("#beat-counter")).ToContainTextAsync("Stoppad");
    }
}
