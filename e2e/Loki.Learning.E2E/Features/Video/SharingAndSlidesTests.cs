using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Tests.Scores;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// The host hands the screen to a pupil and takes it back; a lecturer presents slides from the course's files and
/// turns them for everyone, a late joiner lands on the page shown, and a shared screen takes the large place from the
/// slides while it runs. Each person in a Chromium of their own (fake camera, fake screen), video through the node's Janus.
public sealed class SharingAndSlidesTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    private const string PupilName = "Elsa (Härnösand)";
    private const string Course = "Ensemble pedagogy at a distance";

    /// Clicks a video-stage button once the stage is connected; a stage that reconnects meanwhile redraws it: wait again.
    private static async Task ClickOnStageAsync(IPage page, string name)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var button = page.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
                await Expect(button).ToBeEnabledAsync(new() { Timeout = 60_000 });
                await (await button.WhenInteractiveAsync()).ClickAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (Exception exception) when (exception is TimeoutException or PlaywrightException && clock.Elapsed < ToneBrowsers.Patience)
            {
                Console.WriteLine($"Clicking {name} again after: {exception.Message.Split('\n')[0]}");
            }
        }
    }

    /// The sound check is not what the screenshots are of: "Inte nu".
    private static Task CloseSoundCheckAsync(IPage page) =>
        page.GetByRole(AriaRole.Dialog, new() { Name = "Anslut ljud" }).GetByRole(AriaRole.Button, new() { Name = "Inte nu" }).ClickWhenInteractiveAsync();

    private static async Task NoSeriousViolationsAsync(IPage page, string selector)
    {
        var violations = await page.SeriousAccessibilityViolationsAsync(selector);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public async Task TheHostAllowsThePupilToShareTheirScreenItReachesTheHostAndTakingItBackEndsIt()
    {
        var pupilId = await IdOfAsync(DemoAccounts.Pupil);
        var teacher = await People.PersonAsync(App.BaseAddress, "teacher", Red, 440, DemoAccounts.EnsembleTeacher);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        var pupil = await People.PersonAsync(App.BaseAddress, "pupil", Blue, 660, DemoAccounts.Pupil);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await CloseSoundCheckAsync(teacher);

        // Not allowed yet: the pupil's stage has no share button.
        var share = pupil.Locator(".video-stage").GetByRole(AriaRole.Button, new() { Name = "Dela skärmen", Exact = true });
        await Expect(pupil.GetByLabel("Bara ljud (ingen inkommande video)")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(share).ToHaveCountAsync(0);

        await teacher.Button($"Tillåt skärmdelning för {PupilName}").ClickWhenInteractiveAsync();
        await ClickOnStageAsync(pupil, "Dela skärmen");
        var screen = await SeesAsync(teacher, pupilId, "screen", "the teacher sees the pupil's shared screen");
        Assert.True(screen.Width > 320, $"the shared screen arrives larger than a thumbnail, not {screen.Width}×{screen.Height}");
        await Expect(teacher.Locator(".video-large figure[data-kind=screen]")).ToBeVisibleAsync();
        await Expect(teacher.Button($"Ta tillbaka skärmdelning från {PupilName}")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(teacher, "room-pupil-shares-screen-teacher");
        await teacher.SetViewportSizeAsync(1366, 768);
        await NoSeriousViolationsAsync(teacher, ".video-stage");
        // The grant button in the roster (the roster's other buttons are the room page's, checked with it).
        await NoSeriousViolationsAsync(teacher, ".screen-grant");

        // Taken back: the share ends for everyone and the pupil's button goes.
        await teacher.Button($"Ta tillbaka skärmdelning från {PupilName}").ClickWhenInteractiveAsync();
        await GoneAsync(teacher, pupilId, "screen", "the pupil's screen is gone from the teacher's page once the grant is taken back");
        await GoneAsync(pupil, pupilId, "screen", "the pupil's own share ended");
        await Expect(share).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task TheLecturerPresentsSlidesTurnsToPageThreeTheStudentAndALateJoinerSeePageThreeAndAScreenTakesTheLargePlace()
    {
        const string title = "Vecka 3: latens och ensemblespel";
        var courseId = await App.CourseIdAsync(Course);
        var lecturerId = await IdOfAsync(DemoAccounts.Lecturer);
        var lecturer = await People.PersonAsync(App.BaseAddress, "lecturer", Red, 440, DemoAccounts.Lecturer);
        await lecturer.OpenAsync($"courses/{courseId}");
        var add = await lecturer.Button("Lägg till material").WhenInteractiveAsync();
        await lecturer.GetByLabel("Fil", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "vecka3.pdf", MimeType = "application/pdf", Buffer = ScoreFiles.Pdf(pages: 4) });
        await lecturer.GetByLabel("Titel", new() { Exact = true }).FillAsync(title);
        await add.ClickAsync();
        await Expect(lecturer.GetByRole(AriaRole.Link, new() { Name = title })).ToBeVisibleAsync();

        var roomId = await App.QueryAsync(async db =>
        {
            var lecture = new Meeting { OwnerKind = OwnerKind.Course, OwnerId = courseId, Title = "Föreläsning med bildspel", StartsUtc = DateTime.UtcNow, EndsUtc = DateTime.UtcNow.AddHours(1) };
            db.Meetings.Add(lecture);
            await db.SaveChangesAsync();
            return lecture.RoomId;
        });
        var roomPath = $"rooms/{roomId}";
        await lecturer.OpenAsync(roomPath);
        await lecturer.Button("Öppna rummet").ClickWhenInteractiveAsync();
        await ToneBrowsers.EnterRoomAsync(lecturer, roomPath);
        var student = await People.PersonAsync(App.BaseAddress, "student", Blue, 660, DemoAccounts.Student);
        await ToneBrowsers.EnterRoomAsync(student, roomPath);
        await CloseSoundCheckAsync(student);

        await (await lecturer.GetByLabel("Bildspel ur kursens material").WhenInteractiveAsync()).SelectOptionAsync(new SelectOptionValue { Label = title });
        await lecturer.Button("Presentera").ClickAsync();
        var studentPage = student.GetByTestId("slide-page");
        await Expect(studentPage).ToHaveTextAsync("Bild 1 av 4");
        // Turned with the button, then with the keyboard on the slide.
        await lecturer.Button("Nästa bild").ClickAsync();
        await Expect(lecturer.GetByTestId("slide-page")).ToHaveTextAsync("Bild 2 av 4");
        await lecturer.Locator("#room-slides [data-score-surface]").FocusAsync();
        await lecturer.Keyboard.PressAsync("ArrowRight");
        await Expect(studentPage).ToHaveTextAsync("Bild 3 av 4");
        await Expect(student.Locator("#room-slides canvas.score-page")).ToHaveAttributeAsync("aria-label", "3 / 4");
        await Expect(student.Locator(".room-slides").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Screenshots.TakeAsync(student, "room-slides-student");
        await student.SetViewportSizeAsync(1366, 768);
        await NoSeriousViolationsAsync(student, ".room-slides");
        await NoSeriousViolationsAsync(lecturer, ".room-slides");

        // A shared screen takes the large place while it runs; the slides step aside, still on page 3.
        await ClickOnStageAsync(lecturer, "Dela skärmen");
        await SeesAsync(student, lecturerId, "screen", "the student sees the lecturer's shared screen");
        await Expect(student.Locator(".video-large figure[data-kind=screen]")).ToBeVisibleAsync();
        var slides = await student.Locator("#room-slides [data-score-surface]").BoundingBoxAsync();
        var large = await student.Locator(".video-large figure[data-kind=screen]").BoundingBoxAsync();
        Assert.True(slides!.Height < large!.Height, $"the slides ({slides.Height} px high) step aside for the screen ({large.Height} px)");
        await Expect(studentPage).ToHaveTextAsync("Bild 3 av 4");
        await Screenshots.TakeAsync(student, "room-slides-and-screen-student");
        await student.SetViewportSizeAsync(1366, 768);
        await ClickOnStageAsync(lecturer, "Sluta dela");
        await GoneAsync(student, lecturerId, "screen", "the lecturer's screen is gone");

        // A late joiner (the student again, in a fresh page) lands on page 3. (Last: a person's second page takes the
        // video over from the first, which is not what this test is about.)
        var late = await student.Context.NewPageAsync();
        await ToneBrowsers.EnterRoomAsync(late, roomPath);
        await Expect(late.GetByTestId("slide-page")).ToHaveTextAsync("Bild 3 av 4");
        await Expect(late.Locator("#room-slides canvas.score-page")).ToHaveAttributeAsync("aria-label", "3 / 4");
        await late.CloseAsync();

        await lecturer.Button("Sluta visa").ClickAsync();
        await Expect(student.Locator(".room-slides")).ToHaveCountAsync(0);
    }
}
