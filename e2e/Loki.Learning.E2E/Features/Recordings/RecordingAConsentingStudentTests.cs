using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Recordings;

/// A lecturer runs a class with an adult student who had not consented; the student says yes from the recording banner
/// when the take starts, and the take holds both tracks.
public sealed class RecordingAConsentingStudentTests(BrowserFixture browser, LokiApp app) : ToneBrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Course = "Ensemble pedagogy at a distance";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TheStudentConsentsFromTheBannerAndTheLecturerAndTheStudentAreBothRecorded()
    {
        var lecturer = await PersonWithToneAsync(440, DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var student = await PersonWithToneAsync(660, DemoAccounts.Student, DemoAccounts.PasswordOf(DemoAccounts.Student));
        await lecturer.Link("Kurser").ClickAsync();
        await lecturer.Link(Course).ClickAsync();
        await lecturer.Link("Live-rum").First.ClickAsync();
        await lecturer.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(lecturer.Url).AbsolutePath.TrimStart('/');
        await ToneBrowsers.EnterRoomAsync(lecturer, roomPath);
        await ToneBrowsers.ConnectAudioAsync(lecturer, Patience);
        await ToneBrowsers.EnterRoomAsync(student, roomPath);
        await ToneBrowsers.ConnectAudioAsync(student, Patience);

        await lecturer.Button("Starta inspelning").ClickWhenInteractiveAsync();
        await Expect(lecturer.GetByText("Spelas inte in (inget samtycke registrerat): Sam Student")).ToBeVisibleAsync();
        await Expect(student.GetByText("Du spelas inte in: du har inte samtyckt.")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(student, "consent-banner-student", page => Expect(page.Button("Spela in mig också")).ToBeInViewportAsync());
        var accessibility = await student.SeriousAccessibilityViolationsAsync();
        Assert.True(accessibility.Count == 0, string.Join(Environment.NewLine, accessibility));

        await student.Button("Spela in mig också").ClickWhenInteractiveAsync();
        await Expect(student.GetByText("Du spelas in (ditt samtycke är registrerat).")).ToBeVisibleAsync();
        await Expect(lecturer.GetByText("Alla som är anslutna spelas in.")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(lecturer, "consent-banner-lecturer");
        // A few seconds of both tones in the take.
        await student.WaitForTimeoutAsync(4000);
        await lecturer.Button("Stoppa inspelning").ClickWhenInteractiveAsync();

        await lecturer.Link("Lyssna på inspelningen").ClickAsync();
        await lecturer.WaitUntilInteractiveAsync();
        // The mix and both tracks: the lecturer's and the student's.
        await lecturer.WaitForFunctionAsync(
            "() => { const s = window.loki?.review?.state(); return s && s.lanes.length === 3 && s.lanes.every(l => l.decoded); }",
            null, new() { Timeout = (float)Patience.TotalMilliseconds });
        await Expect(lecturer.Button("Solo Sam Student")).ToBeVisibleAsync();
        await Expect(lecturer.Button("Solo Lena Lektor")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(lecturer, "consent-review-both-tracks");

        // The lecturer's course page says who has consented.
        await lecturer.OpenAsync($"courses/{await App.CourseIdAsync(Course)}");
        await Expect(lecturer.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Sam Student" })).ToContainTextAsync("samtycker till inspelning");
    }
}
