using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// A teacher and a pupil see each other in a live room, each in a Chromium of its own whose fake camera shows a solid
/// colour from a generated Y4M file; the pictures go through the node's own Janus (ICE on loopback only).
public sealed class SeeingEachOtherTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    private const string PupilName = "Elsa (Härnösand)";

    private static readonly (byte R, byte G, byte B) TeacherColour = Cameras.Red;
    private static readonly (byte R, byte G, byte B) PupilColour = Cameras.Blue;

    private Task<IPage> PersonWithCameraAsync(string name, (byte R, byte G, byte B) colour, double tone, string login) =>
        People.PersonAsync(App.BaseAddress, name, colour, tone, login);

    private async Task ScreenshotsAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        foreach (var (width, height) in new[] { (1366, 768), (390, 844) })
        {
            await page.SetViewportSizeAsync(width, height);
            var file = Path.Combine(folder, $"{name}-{width}x{height}.png");
            await page.ScreenshotAsync(new() { Path = file, FullPage = true });
            Console.WriteLine($"SCREENSHOT {file}");
        }
        await page.SetViewportSizeAsync(1366, 768);
    }

    /// The pupil's strip in the room's roster (the mixer), not their video tile.
    private static ILocator PupilInRoster(IPage page) => page.Locator(".mixer-strips > li").Filter(new() { HasText = PupilName });

    [Fact]
    public async Task TeacherAndPupilSeeEachOtherTheTeacherSharesAScreenThePupilGoesAudioOnlyAndTheTeacherStopsAndRemovesThePupil()
    {
        var pupilId = await PupilWithVideoConsentAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);

        var teacher = await PersonWithCameraAsync("teacher", TeacherColour, 440, DemoAccounts.EnsembleTeacher);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        var pupil = await PersonWithCameraAsync("pupil", PupilColour, 660, DemoAccounts.Pupil);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);

        // Everyone's camera is off until they turn it on.
        await Expect(teacher.GetByText("Ingen kamera är på än.")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await StartCameraAsync(teacher);
        await StartCameraAsync(pupil);

        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera");
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's camera");
        await ShowsColourAsync(teacher, pupilId, "camera", PupilColour, "the pupil's tile on the teacher's page");
        await ShowsColourAsync(pupil, teacherId, "camera", TeacherColour, "the teacher's tile on the pupil's page");
        // Both pictures went through Janus over loopback only: each page's camera and its subscriber connection.
        await AssertLoopbackOnlyAsync(teacher, 2, "the teacher");
        await AssertLoopbackOnlyAsync(pupil, 2, "the pupil");
        await Expect(teacher.GetByRole(AriaRole.Figure).Filter(new() { HasText = PupilName })).ToContainTextAsync("Medverkande");
        // The roster says who sends a picture, on everyone's page.
        await Expect(PupilInRoster(teacher).Filter(new() { HasText = "Kameran på" })).ToBeVisibleAsync();
        await Expect(PupilInRoster(pupil).Filter(new() { HasText = "Kameran på" })).ToBeVisibleAsync();
        await ScreenshotsAsync(teacher, "room-with-video-teacher");
        // The video stage's own part (the roster's mute buttons, outside it, are the room page's: reported separately).
        var violations = await teacher.SeriousAccessibilityViolationsAsync(".video-stage");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));

        // The host shares a screen (Chromium's fake display picture): it reaches the pupil as a 'screen' tile, shown large.
        await teacher.Button("Dela skärmen").ClickWhenInteractiveAsync();
        var screen = await SeesAsync(pupil, teacherId, "screen", "the pupil sees the teacher's shared screen");
        Assert.True(screen.Width > 320, $"the shared screen arrives larger than a thumbnail, not {screen.Width}×{screen.Height}");
        await Expect(pupil.Locator(".video-large figure[data-kind=screen]")).ToBeVisibleAsync();
        await ScreenshotsAsync(pupil, "room-with-screen-pupil");
        await teacher.Button("Sluta dela").ClickWhenInteractiveAsync();
        await GoneAsync(pupil, teacherId, "screen", "the shared screen is gone from the pupil's page");

        // "Audio only": the pupil's page stops receiving every picture, and gets them back when it is turned off.
        await pupil.GetByLabel("Bara ljud (ingen inkommande video)").CheckAsync();
        await DarkAsync(pupil, teacherId, "camera", "the pupil's page shows no picture of the teacher in audio only");
        await SeesAsync(teacher, pupilId, "camera", "the teacher still sees the pupil, whose own camera stays on in audio only");
        await pupil.GetByLabel("Bara ljud (ingen inkommande video)").UncheckAsync();
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher again after audio only");

        // The host stops the pupil's camera: it disappears for everyone, the pupil's own preview included.
        await teacher.Button($"Stoppa kameran för {PupilName}").ClickWhenInteractiveAsync();
        await GoneAsync(teacher, pupilId, "camera", "the pupil's camera is gone from the teacher's page");
        await GoneAsync(pupil, pupilId, "camera", "the pupil's own preview ends");
        await Expect(PupilInRoster(teacher).Filter(new() { HasText = "Kameran på" })).ToHaveCountAsync(0);
        // The pupil still sees the teacher.
        await SeesAsync(pupil, teacherId, "camera", "the pupil still sees the teacher after their camera was stopped");

        // The pupil turns the camera on again; removed from the room, their video ends for everyone.
        await StartCameraAsync(pupil);
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera again");
        // Stopped and started again at once: the teacher's page may get the picture back on the same m-line in one
        // offer, without a new track event; the tile must still show it.
        await teacher.Button($"Stoppa kameran för {PupilName}").ClickWhenInteractiveAsync();
        await GoneAsync(pupil, pupilId, "camera", "the pupil's own preview ends a second time");
        await StartCameraAsync(pupil);
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera after it was stopped and started again at once");
        await ShowsColourAsync(teacher, pupilId, "camera", PupilColour, "the pupil's tile on the teacher's page after the quick restart");
        await teacher.Button($"Ta bort {PupilName} från rummet").ClickWhenInteractiveAsync();
        await GoneAsync(teacher, pupilId, "camera", "a removed pupil's camera is gone from the teacher's page");
    }
}
