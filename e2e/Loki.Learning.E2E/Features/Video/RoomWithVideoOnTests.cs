using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// The whole room page as the teacher and a pupil see it with two cameras on and a screen shared, on a laptop
/// (1366×768) and a phone (390×844): no serious or critical accessibility problem (axe-core), nothing scrolls sideways,
/// the pictures are big enough to see a hand on a phone, and the side panel's link policy reads in full. Screenshots of
/// each state stay in the test output.
public sealed class RoomWithVideoOnTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    /// The sound check is not what the screenshots are of: "Inte nu".
    private static Task CloseSoundCheckAsync(IPage page) =>
        page.GetByRole(AriaRole.Dialog, new() { Name = "Anslut ljud" }).GetByRole(AriaRole.Button, new() { Name = "Inte nu" }).ClickWhenInteractiveAsync();

    /// At each size: axe over the whole page, collected as "who at WIDTH: violation".
    private static async Task AccessibleAsync(IPage page, string who, List<string> problems)
    {
        foreach (var violation in await page.SeriousAccessibilityViolationsAsync())
        {
            problems.Add($"{who} at {page.ViewportSize!.Width} px: {violation}");
        }
    }

    /// The width in CSS pixels of each tile's picture on the page, by person and kind.
    private static Task<Dictionary<string, double>> TileWidthsAsync(IPage page) =>
        page.EvaluateAsync<Dictionary<string, double>>("""
            () => Object.fromEntries([...document.querySelectorAll('.video-stage video[data-feed]')]
                .map(v => [v.dataset.kind + (v.dataset.self === 'true' ? '-self' : '-' + v.dataset.person), v.getBoundingClientRect().width]))
            """);

    [Fact]
    public async Task WithTwoCamerasAndAScreenTheRoomPassesAxeDoesNotScrollSidewaysAndShowsThePicturesLargeEnoughOnAPhone()
    {
        var pupilId = await PupilWithVideoConsentAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);
        var teacher = await People.PersonAsync(App.BaseAddress, "teacher", Red, 440, DemoAccounts.EnsembleTeacher);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        var pupil = await People.PersonAsync(App.BaseAddress, "pupil", Blue, 660, DemoAccounts.Pupil);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await CloseSoundCheckAsync(teacher);
        await CloseSoundCheckAsync(pupil);
        await StartCameraAsync(teacher);
        await StartCameraAsync(pupil);
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil");
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher");
        await teacher.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = "Dela skärmen", Exact = true }).ClickWhenInteractiveAsync();
        await SeesAsync(pupil, teacherId, "screen", "the pupil sees the teacher's screen");

        var problems = new List<string>();
        var phoneWidths = new Dictionary<string, Dictionary<string, double>>();
        var laptopWidths = new Dictionary<string, Dictionary<string, double>>();
        foreach (var (page, who) in new[] { (teacher, "teacher"), (pupil, "pupil") })
        {
            await Screenshots.TakeAsync(page, $"room-video-on-{who}", async p =>
            {
                await Expect(p.Locator(".video-stage video[data-feed]").First).ToBeVisibleAsync();
                await AccessibleAsync(p, who, problems);
                (p.ViewportSize!.Width < 500 ? phoneWidths : laptopWidths)[who] = await TileWidthsAsync(p);
            });
            // Further down: the pictures themselves.
            await Screenshots.TakeAsync(page, $"room-video-tiles-{who}", p => p.Locator(".video-tiles").ScrollIntoViewIfNeededAsync());
            // The side panel's link policy (the host chooses; everyone reads the room's choice).
            await Screenshots.TakeAsync(page, $"room-link-policy-{who}", async p =>
            {
                var panel = p.Locator(".link-policy");
                await panel.ScrollIntoViewIfNeededAsync();
                await Expect(panel).ToBeInViewportAsync();
            });
            await page.SetViewportSizeAsync(1366, 768);
        }

        // The sharer sees the others, not their own screen, large: it is in the grid with the cameras.
        await Expect(teacher.Locator(".video-large figure[data-kind=screen]")).ToHaveCountAsync(0);
        await Expect(teacher.Locator(".video-grid figure[data-kind=screen]")).ToHaveCountAsync(1);
        await Expect(teacher.Locator(".video-grid figure[data-kind=screen] figcaption")).ToContainTextAsync("Din skärm");
        // With no large picture, the grid's tiles share the stage's width: the pupil is not a thumbnail on a laptop.
        Console.WriteLine($"TILES at 1366 px, teacher: {string.Join(", ", laptopWidths["teacher"].Select(w => $"{w.Key} {w.Value:F0} px"))}");
        Assert.True(laptopWidths["teacher"][$"camera-{pupilId}"] >= 280, $"the pupil's tile on the teacher's laptop is {laptopWidths["teacher"][$"camera-{pupilId}"]:F0} px wide");

        // The pupil shares a screen with the host's leave: the host's page has a stop button on each of the pupil's
        // pictures, in Swedish, English and Norwegian.
        await teacher.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = "Sluta dela", Exact = true }).ClickWhenInteractiveAsync();
        await GoneAsync(pupil, teacherId, "screen", "the teacher's screen is gone from the pupil's page");
        await teacher.GetByRole(AriaRole.Button, new() { Name = "Tillåt skärmdelning för Elsa (Härnösand)", Exact = true }).ClickWhenInteractiveAsync();
        await pupil.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = "Dela skärmen", Exact = true }).ClickWhenInteractiveAsync();
        foreach (var language in new[] { "Svenska", "English", "Norsk" })
        {
            if (language != "Svenska")
            {
                await teacher.Link(language).ClickAsync();
                await Expect(teacher.Link(language)).ToHaveAttributeAsync("aria-current", "true");
            }
            await SeesAsync(teacher, pupilId, "screen", $"the teacher sees the pupil's screen ({language})");
            await SeesAsync(teacher, pupilId, "camera", $"the teacher sees the pupil's camera ({language})");
            await Expect(teacher.Locator(".video-stage button.video-stop")).ToHaveCountAsync(2);
            await AccessibleAsync(teacher, $"teacher in {language}", problems);
        }
        await teacher.Link("Svenska").ClickAsync();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        // On a phone the shared screen fills the width, and a camera tile is at least half of it: a hand or a bow can be seen.
        foreach (var (who, widths) in phoneWidths)
        {
            Console.WriteLine($"TILES at 390 px, {who}: {string.Join(", ", widths.Select(w => $"{w.Key} {w.Value:F0} px"))}");
            Assert.All(widths.Where(w => w.Key.StartsWith("camera", StringComparison.Ordinal)),
                w => Assert.True(w.Value >= 170, $"{who}'s {w.Key} tile is {w.Value:F0} px wide on a 390 px phone"));
        }
        Assert.True(phoneWidths["pupil"][$"screen-{teacherId}"] >= 330, $"the shared screen on the pupil's phone is {phoneWidths["pupil"][$"screen-{teacherId}"]:F0} px wide");
    }
}
