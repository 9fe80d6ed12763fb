using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// A node whose pages show (and receive) one of the others' cameras at a time besides the large tile, so that three
/// people are enough to turn a page; a school's node shows eight (Video:CamerasPerPage).
public sealed class OneCameraAPage : IAsyncLifetime
{
    public LokiApp App { get; } = new() { Settings = new Dictionary<string, string?> { ["Video:CamerasPerPage"] = "1" } };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// A page receives only the cameras it has tiles for: each received camera is a stream the node's Janus forwards, and a
/// class where every page received every camera would outgrow a 2-core node (docs/benchmarks.md §13.5).
public sealed class PagesOfCamerasTests(BrowserFixture browser, OneCameraAPage site) : CameraTest(browser, site.App), IClassFixture<OneCameraAPage>
{
    private const string SecondTeacher = "teacher.steinkjer@demo.loki.local";

    private static readonly (byte R, byte G, byte B) Green = (40, 180, 60);

    private static async Task<List<string>> ReceivingAsync(IPage page) =>
        [.. await page.EvaluateAsync<string[]>("() => window.loki?.video?.receiving() ?? []")];

    private static Task ReceivesOnlyAsync(IPage page, string[] feeds, string what) =>
        ToneBrowsers.WaitUntilAsync(async () => (await ReceivingAsync(page)).Order().SequenceEqual(feeds.Order()),
            async () => $"the pupil's page receives only {what}; it receives {string.Join(", ", await ReceivingAsync(page))}");

    [Fact]
    public async Task APupilReceivesTheSharedScreenAndOnePageOfCamerasAndTurnsThePageToSeeTheOtherTeacher()
    {
        var pupilId = await PupilWithVideoConsentAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);
        var secondId = await IdOfAsync(SecondTeacher);
        var colours = new Dictionary<string, (byte R, byte G, byte B)> { [teacherId] = Cameras.Red, [secondId] = Green };

        var teacher = await People.PersonAsync(App.BaseAddress, "teacher", Cameras.Red, 440, DemoAccounts.EnsembleTeacher);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        var second = await People.PersonAsync(App.BaseAddress, "second teacher", Green, 550, SecondTeacher);
        await ToneBrowsers.EnterRoomAsync(second, roomPath);
        var pupil = await People.PersonAsync(App.BaseAddress, "pupil", Cameras.Blue, 660, DemoAccounts.Pupil);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);

        await StartCameraAsync(teacher);
        await StartCameraAsync(second);
        await StartCameraAsync(pupil);
        // The teacher's screen takes the large tile on the pupil's page; both teachers' cameras go to the grid, one a page.
        await teacher.Button("Dela skärmen").ClickWhenInteractiveAsync();
        await SeesAsync(pupil, teacherId, "screen", "the pupil sees the teacher's shared screen");
        await Expect(pupil.Locator(".video-large figure[data-kind=screen]")).ToBeVisibleAsync();
        var pages = pupil.GetByRole(AriaRole.Navigation, new() { Name = "Sidor med kameror" });
        await Expect(pages.GetByRole(AriaRole.Status)).ToHaveTextAsync("Kameror 1–1 av 2");

        var firstShown = (await TilesAsync(pupil)).Single(t => t is { Kind: "camera", Self: false }).PersonId;
        var otherOne = firstShown == teacherId ? secondId : teacherId;
        await SeesAsync(pupil, firstShown, "camera", "the pupil sees the camera on the grid's first page");
        await ShowsColourAsync(pupil, firstShown, "camera", colours[firstShown], "the camera on the first page");
        // A camera that just left the page (the teacher's, large before the screen came) is given up after a grace.
        await ReceivesOnlyAsync(pupil, [$"camera-{firstShown}", $"screen-{teacherId}"], "the first page's camera and the screen");

        // The next page: the other teacher's camera is received and shown; the first is given up after a grace.
        await pages.GetByRole(AriaRole.Button, new() { Name = "Fler kameror" }).ClickWhenInteractiveAsync();
        await Expect(pages.GetByRole(AriaRole.Status)).ToHaveTextAsync("Kameror 2–2 av 2");
        await SeesAsync(pupil, otherOne, "camera", "the pupil sees the camera on the grid's second page");
        await ShowsColourAsync(pupil, otherOne, "camera", colours[otherOne], "the camera on the second page");
        await ReceivesOnlyAsync(pupil, [$"camera-{otherOne}", $"screen-{teacherId}"], "the second page's camera and the screen");
        await Expect(pages.GetByRole(AriaRole.Button, new() { Name = "Fler kameror" })).ToBeDisabledAsync();
        // Without sound for now: the sound check steps aside and the stage is what the pupil looks at.
        await pupil.Button("Inte nu").ClickWhenInteractiveAsync();
        await Screenshots.TakeAsync(pupil, "video-pages-pupil", p => p.Locator(".video-pages").ScrollIntoViewIfNeededAsync());
        await pupil.SetViewportSizeAsync(1366, 768);
        var violations = await pupil.SeriousAccessibilityViolationsAsync(".video-stage");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));

        // The teacher stops sharing: the large tile is a host's camera again, and the grid needs no pages.
        await teacher.Button("Sluta dela").ClickWhenInteractiveAsync();
        await GoneAsync(pupil, teacherId, "screen", "the shared screen is gone from the pupil's page");
        await Expect(pages).ToHaveCountAsync(0);
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's camera");
        await SeesAsync(pupil, secondId, "camera", "the pupil sees the second teacher's camera");
        // The others' pages were never paged: every camera reaches them.
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil");
    }
}
