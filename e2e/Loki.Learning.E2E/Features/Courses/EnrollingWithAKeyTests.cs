using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Courses;

public sealed class EnrollingWithAKeyTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Course = "Ensemble pedagogy at a distance";

    [Fact]
    public async Task AStudentWithTheWrongKeyIsRefusedAndWithTheRightKeyIsEnrolledAndSeesTheSessions()
    {
        var page = await LogInAsync(DemoAccounts.NtnuStudent, DemoAccounts.PasswordOf(DemoAccounts.NtnuStudent));
        await page.Link("Kurser").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = Course })).ToContainTextAsync("Öppen för inskrivning");
        await page.Link(Course).ClickAsync();
        await Expect(page.Heading(Course, 1)).ToBeVisibleAsync();
        await Expect(page.Heading("Lektioner", 2)).ToHaveCountAsync(0);

        var enrol = await page.Button("Skriv in mig").WhenInteractiveAsync();
        await page.GetByLabel("Inskrivningsnyckel").FillAsync("MIUN-WRONG");
        await enrol.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Inskrivningsnyckeln stämmer inte.");
        await Expect(page.Heading("Lektioner", 2)).ToHaveCountAsync(0);

        await page.GetByLabel("Inskrivningsnyckel").FillAsync("MIUN-DIST-26");
        await enrol.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Du är inskriven.");
        await Expect(page.Heading("Lektioner", 2)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Seminar 1: what latency does to a groove" })).ToBeVisibleAsync();
        await Expect(page.Button("Lämna kursen")).ToBeVisibleAsync();
        await Expect(page.Button("Lägg till i schemat")).ToHaveCountAsync(0);
    }
}
