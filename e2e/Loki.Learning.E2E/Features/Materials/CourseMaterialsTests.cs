using System.Net;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Tests.Materials;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Materials;

public sealed class CourseMaterialsTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Course = "Ensemble pedagogy at a distance";

    private const string MaterialsSection = "section[aria-labelledby=materials-heading]";

    [Fact]
    public async Task TheLecturerAddsAFileAndALinkTheStudentOpensThemAndAStrangerGetsNothing()
    {
        var courseId = await App.CourseIdAsync(Course);
        var lecturer = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        await lecturer.OpenAsync($"courses/{courseId}");
        var add = await lecturer.Button("Lägg till material").WhenInteractiveAsync();
        var materials = lecturer.Locator(MaterialsSection);

        // A script link is refused next to its field, and its message goes as soon as the field changes.
        await lecturer.GetByLabel("Titel", new() { Exact = true }).FillAsync("Klicka här");
        await lecturer.GetByLabel("Eller en länk").FillAsync("javascript:alert(document.cookie)");
        await add.ClickAsync();
        const string refused = "En länk måste vara en webbadress som börjar med https:// eller http://.";
        await Expect(lecturer.GetByLabel("Eller en länk")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(refused)));
        await Expect(materials.GetByRole(AriaRole.Link, new() { Name = "Klicka här" })).ToHaveCountAsync(0);
        await lecturer.GetByLabel("Eller en länk").FillAsync("https://ccrma.stanford.edu/groups/soundwire/");
        await Expect(lecturer.Locator("#material-url-problem")).ToHaveCountAsync(0);
        await lecturer.GetByLabel("Titel", new() { Exact = true }).FillAsync("Soundwire: forskning om nätverksmusik");
        await add.ClickAsync();
        await Expect(lecturer.GetByRole(AriaRole.Status)).ToHaveTextAsync("Materialet är tillagt.");

        await lecturer.GetByLabel("Fil", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "sittplan.png", MimeType = "image/png", Buffer = MaterialFiles.Png(64) });
        await Expect(lecturer.GetByTestId("material-file-chosen")).ToHaveTextAsync("sittplan.png");
        await lecturer.GetByLabel("Titel", new() { Exact = true }).FillAsync("Sittplan för seminariet");
        await add.ClickAsync();
        var file = materials.GetByRole(AriaRole.Link, new() { Name = "Sittplan för seminariet" });
        await Expect(file).ToBeVisibleAsync();
        var link = materials.GetByRole(AriaRole.Link, new() { Name = "Soundwire: forskning om nätverksmusik" });
        await Expect(link).ToHaveAttributeAsync("href", "https://ccrma.stanford.edu/groups/soundwire/");
        await Expect(materials).ToContainTextAsync("Bild · 1 kB");
        await Expect(materials).ToContainTextAsync("Länk · ccrma.stanford.edu");
        var fileUrl = (await file.GetAttributeAsync("href"))!;

        await Screenshots.TakeAsync(lecturer, "course-materials-lecturer", ShowMaterialsAsync);
        Assert.Empty(await lecturer.SeriousAccessibilityViolationsAsync(MaterialsSection));

        // The enrolled student sees both and opens the picture.
        var student = await LogInAsync(DemoAccounts.Student, DemoAccounts.PasswordOf(DemoAccounts.Student));
        await student.OpenAsync($"courses/{courseId}");
        var studentMaterials = student.Locator(MaterialsSection);
        await Expect(studentMaterials.GetByRole(AriaRole.Link, new() { Name = "Soundwire: forskning om nätverksmusik" })).ToHaveAttributeAsync("target", "_blank");
        await Expect(studentMaterials.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        var picture = await student.RunAndWaitForPopupAsync(() => studentMaterials.GetByRole(AriaRole.Link, new() { Name = "Sittplan för seminariet" }).ClickAsync());
        await picture.WaitForLoadStateAsync();
        Assert.EndsWith(fileUrl, picture.Url, StringComparison.Ordinal);
        Assert.Equal(64, await picture.EvaluateAsync<int>("() => document.images.length === 1 ? document.images[0].naturalWidth : -1"));
        await picture.CloseAsync();
        await Screenshots.TakeAsync(student, "course-materials-student", ShowMaterialsAsync);
        Assert.Empty(await student.SeriousAccessibilityViolationsAsync(MaterialsSection));

        // Signed in but not enrolled in this course: neither the list nor the file.
        var outsider = await LogInAsync(DemoAccounts.NtnuStudent, DemoAccounts.PasswordOf(DemoAccounts.NtnuStudent));
        var refusedFile = await outsider.Context.APIRequest.GetAsync(fileUrl);
        Assert.Equal((int)HttpStatusCode.NotFound, refusedFile.Status);
        Assert.NotEqual("image/png", refusedFile.Headers.GetValueOrDefault("content-type"));
        await outsider.OpenAsync($"courses/{courseId}");
        await Expect(outsider.Heading(Course, 1)).ToBeVisibleAsync();
        await Expect(outsider.Locator(MaterialsSection)).ToHaveCountAsync(0);
        await Expect(outsider.GetByText("Sittplan för seminariet")).ToHaveCountAsync(0);

        // Nobody signed in: the login page, not the file.
        var stranger = await NewPageAsync();
        var response = await stranger.GotoAsync(fileUrl);
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        Assert.Contains("login", stranger.Url, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);

        // The lecturer removes the picture; the student's address for it answers 404 from then on.
        await lecturer.Button("Ta bort Sittplan för seminariet").ClickAsync();
        await Expect(lecturer.GetByRole(AriaRole.Status)).ToHaveTextAsync("Materialet är borttaget.");
        Assert.Equal((int)HttpStatusCode.NotFound, (await student.Context.APIRequest.GetAsync(fileUrl)).Status);
    }

    /// The materials section at the top of the view, whatever the size.
    private static async Task ShowMaterialsAsync(IPage page)
    {
        await page.EvaluateAsync("() => document.getElementById('materials-heading').scrollIntoView()");
        await Expect(page.Locator("#materials-heading")).ToBeInViewportAsync();
    }

    [Fact]
    public async Task TheInformationPageSaysWhoKeepsWhatAboutPupilsForHowLongAndWhomToAsk()
    {
        var page = await NewPageAsync("nb-NO");
        await page.OpenAsync("info");

        var privacy = page.Locator("section[aria-labelledby=privacy]");
        await Expect(page.Heading("Personvern", 2)).ToBeVisibleAsync();
        await Expect(privacy).ToContainTextAsync("om en foresatt har samtykket til opptak");
        await Expect(privacy).ToContainTextAsync("Opptak slettes automatisk 180 dager etter at de ble gjort");
        await Expect(privacy.GetByRole(AriaRole.Link, new() { Name = "info@loki.local" })).ToHaveAttributeAsync("href", "mailto:info@loki.local");
        // By id, not by a handle: the page renders again once it is interactive.
        await Screenshots.TakeAsync(page, "info-privacy", async p =>
        {
            await p.EvaluateAsync("() => document.getElementById('privacy').scrollIntoView()");
            await Expect(p.Heading("Personvern", 2)).ToBeInViewportAsync();
        });
        Assert.Empty(await page.SeriousAccessibilityViolationsAsync());
    }
}
