using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// The same pupil in the room on two pages (a second tab, as after a reload or on a second device): both pages see
/// the teacher, the teacher sees the pupil's camera whichever page sends it, the page that starts the camera last
/// sends it and the other says so and can take it back, and the host's stop ends it everywhere. Each person in a
/// Chromium of their own (the pupil's two pages share one, and its fake camera), video through the node's Janus.
public sealed class SamePersonOnTwoPagesTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    private const string PupilName = "Elsa (Härnösand)";
    private const string Elsewhere = "Din kamera är på i ett annat fönster eller på en annan enhet.";
    private const string UseHere = "Använd kameran här";

    private static readonly (byte R, byte G, byte B) TeacherColour = Red;
    private static readonly (byte R, byte G, byte B) PupilColour = Blue;

    private static async Task SeesTheTeacherAsync(IPage page, string teacherId, string what)
    {
        await SeesAsync(page, teacherId, "camera", what);
        await ShowsColourAsync(page, teacherId, "camera", TeacherColour, what);
    }

    private static async Task SeesThePupilAsync(IPage teacher, string pupilId, string what)
    {
        await SeesAsync(teacher, pupilId, "camera", what);
        await ShowsColourAsync(teacher, pupilId, "camera", PupilColour, what);
    }

    /// Clicks "Använd kameran här" once the stage offers it (a stage that reconnects meanwhile redraws it: wait again).
    private static async Task UseCameraHereAsync(IPage page)
    {
        var button = page.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = UseHere, Exact = true });
        await Expect(button).ToBeEnabledAsync(new() { Timeout = 60_000 });
        await button.ClickWhenInteractiveAsync();
    }

    [Fact]
    public async Task BothPagesOfThePupilSeeTheTeacherTheNewestSendsThePupilsCameraAndTheHostsStopEndsItOnBoth()
    {
        var pupilId = await PupilWithVideoConsentAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);
        var teacher = await People.PersonAsync(App.BaseAddress, "teacher", TeacherColour, 440, DemoAccounts.EnsembleTeacher);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        await StartCameraAsync(teacher);
        var first = await People.PersonAsync(App.BaseAddress, "pupil", PupilColour, 660, DemoAccounts.Pupil);
        await ToneBrowsers.EnterRoomAsync(first, roomPath);
        await StartCameraAsync(first);
        await SeesThePupilAsync(teacher, pupilId, "the teacher sees the pupil's camera from the first page");

        // The same pupil opens the room again in a second tab: it sees the teacher too, and says where the camera is.
        var second = await first.Context.NewPageAsync();
        await ToneBrowsers.EnterRoomAsync(second, roomPath);
        await SeesTheTeacherAsync(second, teacherId, "the pupil's second page sees the teacher");
        await Expect(second.GetByText(Elsewhere)).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await SeesTheTeacherAsync(first, teacherId, "the pupil's first page still sees the teacher");
        await SeesThePupilAsync(teacher, pupilId, "the teacher still sees the pupil after the second page opened");
        await Expect(first.GetByText(Elsewhere)).ToHaveCountAsync(0);

        // The second page takes the camera: the first says so (its own picture ends), the teacher still sees the pupil.
        await UseCameraHereAsync(second);
        await Expect(first.GetByText(Elsewhere)).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await GoneAsync(first, pupilId, "camera", "the first page's own preview ends when the second takes the camera");
        await SeesAsync(second, pupilId, "camera", "the second page shows its own preview");
        await Expect(second.GetByText(Elsewhere)).ToHaveCountAsync(0);
        await SeesThePupilAsync(teacher, pupilId, "the teacher sees the pupil's camera from the second page");
        await SeesTheTeacherAsync(first, teacherId, "the first page still sees the teacher after handing the camera over");
        await SeesTheTeacherAsync(second, teacherId, "the second page still sees the teacher after taking the camera");
        Assert.Single(await TilesAsync(teacher), t => t.PersonId == pupilId && t.Kind == "camera");
        // The sound check is not what the screenshots are of: "Inte nu".
        await first.GetByRole(AriaRole.Dialog, new() { Name = "Anslut ljud" }).GetByRole(AriaRole.Button, new() { Name = "Inte nu" }).ClickWhenInteractiveAsync();
        await Screenshots.TakeAsync(first, "room-camera-in-another-window", page => Expect(page.GetByText(Elsewhere)).ToBeVisibleAsync());
        var violations = await first.SeriousAccessibilityViolationsAsync(".video-stage");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        await first.SetViewportSizeAsync(1366, 768);

        // And back: the first page takes it again.
        await UseCameraHereAsync(first);
        await Expect(second.GetByText(Elsewhere)).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await SeesThePupilAsync(teacher, pupilId, "the teacher sees the pupil's camera from the first page again");

        // The host stops the pupil's camera: it ends on the page that sent it, and no page says it is on elsewhere.
        await teacher.Button($"Stoppa kameran för {PupilName}").ClickWhenInteractiveAsync();
        await GoneAsync(teacher, pupilId, "camera", "the pupil's camera is gone from the teacher's page");
        await GoneAsync(first, pupilId, "camera", "the first page's own preview ends");
        await Expect(first.GetByText(Elsewhere)).ToHaveCountAsync(0);
        await Expect(second.GetByText(Elsewhere)).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(second.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = "Starta kameran", Exact = true })).ToBeVisibleAsync();
        await SeesTheTeacherAsync(first, teacherId, "the first page still sees the teacher after the host's stop");
        await SeesTheTeacherAsync(second, teacherId, "the second page still sees the teacher after the host's stop");
    }
}
