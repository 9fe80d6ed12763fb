using System.Diagnostics;
using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Metronome;

/// The teacher puts a score in front of the room; the beat clock takes its time signatures and both the teacher's and
/// the pupil's cursors move bar by bar with the bar counter, turn the page on their own and follow a jump.
public sealed class FollowingTheScoreTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    // A one-beat pickup (bar 0), then 2/4 with rehearsal mark A on bar 1; mark B and 3/4 from bar 9, 2/4 again from
    // bar 13, numbered as printed (the pickup is not counted).
    private const string March = "March in two and three";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Not within {Patience.TotalSeconds} s: {await what()}");
            }
            await Task.Delay(100);
        }
    }

    /// The score cursor's bar and the bar counter's (both as printed: the pickup is bar 0) and the beats in the current
    /// bar, read in the same instant.
    private static async Task<(int? Cursor, int Counter, int BeatsPerBar)> ReadingAsync(IPage page)
    {
        var reading = await page.EvaluateAsync<JsonElement>(
            "() => ({ cursor: window.loki.score && window.loki.score.current().number, counter: Number(document.getElementById('beat-counter').dataset.bar || 0), beats: window.loki.metronome.position().beatsPerBar })");
        var cursor = reading.GetProperty("cursor");
        return (cursor.ValueKind == JsonValueKind.Number ? cursor.GetInt32() : null, reading.GetProperty("counter").GetInt32(), reading.GetProperty("beats").GetInt32());
    }

    /// The score cursor's bar and the bar counter's, read in the same instant.
    private static async Task<(int? Cursor, int? Counter)> BarsAsync(IPage page)
    {
        var bars = await page.EvaluateAsync<JsonElement>(
            "() => ({ cursor: window.loki.score && window.loki.score.current().number, counter: Number(document.getElementById('beat-counter').dataset.bar || 0) })");
        var cursor = bars.GetProperty("cursor");
        return (cursor.ValueKind == JsonValueKind.Number ? cursor.GetInt32() : null, bars.GetProperty("counter").GetInt32());
    }

    [Fact]
    public async Task TheCursorFollowsTheBeatBarByBarAtEverySiteAndFollowsAJumpToARehearsalMark()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath;
        await (await teacher.GetByLabel("Noter för rummet").WhenInteractiveAsync()).SelectOptionAsync(new SelectOptionValue { Label = March });
        await teacher.Button("Visa för alla").ClickWhenInteractiveAsync();
        await Expect(teacher.Locator("#room-score svg").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var pupil = await LogInAsync(DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
        await pupil.OpenAsync(roomPath.TrimStart('/'));
        await Expect(pupil.Locator("#room-score svg").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(pupil.Button("Visa för alla")).ToHaveCountAsync(0);

        // The score's time signatures are the timeline's: 2/4 from the pickup (bar 0), then 3/4 at bar 9, then 2/4 at bar 13.
        var beat = await pupil.EvaluateAsync<JsonElement>("async path => (await fetch('/api' + path + '/beat')).json()", roomPath);
        var metres = beat.GetProperty("metres").EnumerateArray().Select(m => (m.GetProperty("bar").GetInt32(), m.GetProperty("beatsPerBar").GetInt32())).ToList();
        Assert.Equal([(0, 2), (9, 3), (13, 2)], metres);
        Assert.Equal(1, beat.GetProperty("pickupBeats").GetDouble());

        await teacher.GetByLabel("Tempo (slag/min)").FillAsync("90");
        await teacher.Button("Ändra tempo").ClickWhenInteractiveAsync();
        await teacher.GetByLabel("Inräkningstakter").SelectOptionAsync("0");
        await teacher.Button("Starta med inräkning").ClickWhenInteractiveAsync();

        // Bar by bar: every reading of the pupil's page until bar 10 has the cursor on the counter's bar (or, read on a
        // bar line, one frame behind), bars 1 to 5 are each seen, and the 3/4 bars from bar 9 count three beats.
        var seen = new HashSet<int>();
        var readings = new List<string>();
        await WaitUntilAsync(async () =>
        {
            var (cursor, counter, beatsPerBar) = await ReadingAsync(pupil);
            readings.Add($"{cursor}/{counter}/{beatsPerBar}");
            if (counter is >= 1 and <= 16)
            {
                Assert.True(cursor == counter || cursor == counter - 1, $"cursor {cursor} at counter bar {counter}; readings {string.Join(' ', readings)}");
                seen.Add(counter);
                if (counter is >= 9 and <= 11)
                {
                    Assert.Equal(3, beatsPerBar);
                }
            }
            return counter >= 10;
        }, async () => $"the pupil reaches bar 10 (readings {string.Join(' ', readings)}; now {await ReadingAsync(pupil)})");
        Assert.Superset(new HashSet<int> { 1, 2, 3, 4, 5 }, seen);

        // The jump back to mark A (bar 1, after the pickup): from the next bar line both count from there again.
        await teacher.GetByLabel("Repetitionsbokstav").SelectOptionAsync("A");
        await teacher.Button("Gå till bokstav").ClickWhenInteractiveAsync();
        foreach (var page in new[] { teacher, pupil })
        {
            await WaitUntilAsync(async () => (await BarsAsync(page)) is var (cursor, counter) && counter is >= 1 and <= 3 && (cursor == counter || cursor == counter - 1),
                async () => $"cursor and counter back from bar 1 on (now {await BarsAsync(page)})");
        }
        await Expect(pupil.Locator("#room-score img[id^='cursorImg']").First).ToBeInViewportAsync();

        // The live room with everything on it (host controls, metronome, score, notes) passes axe-core for both.
        foreach (var page in new[] { teacher, pupil })
        {
            var violations = await page.SeriousAccessibilityViolationsAsync();
            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        }

        await teacher.Button("Stoppa").ClickWhenInteractiveAsync();
        await Expect(pupil.Locator("#beat-counter")).ToContainTextAsync("Stoppad");
    }
}
