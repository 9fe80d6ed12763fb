using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.People;

public sealed class LoggingInTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    [Fact]
    public async Task AWrongPasswordIsRefusedWithAMessageAndOpensNothing()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("account/login");
        await page.GetByLabel("E-post eller användarnamn").FillAsync(DemoAccounts.Lecturer);
        await page.GetByLabel("Lösenord").FillAsync("not-the-password");
        await page.Button("Logga in").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Användarnamnet och lösenordet stämmer inte.");
        await page.GotoAsync("schedule");
        await Expect(page.Heading("Logga in", 1)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task APageThatNeedsALoginLeadsToTheLoginAndBackToItself()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("courses");
        await Expect(page.Heading("Logga in", 1)).ToBeVisibleAsync();

        await page.GetByLabel("E-post eller användarnamn").FillAsync(DemoAccounts.NtnuStudent);
        await page.GetByLabel("Lösenord").FillAsync(DemoAccounts.PasswordOf(DemoAccounts.NtnuStudent));
        await page.Button("Logga in").ClickAsync();

        await Expect(page.Heading("Kurser", 1)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Music technology for networked performance" })).ToContainTextAsync("Inskriven");
        await Expect(page.GetByText("Ingrid Student")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task LoggingOutEndsTheSession()
    {
        var page = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        await page.Button("Logga ut").ClickAsync();

        await Expect(page.Heading("Musik tillsammans, på distans", 1)).ToBeVisibleAsync();
        await Expect(page.Link("Logga in").First).ToBeVisibleAsync();
        await Expect(page.Link("Mitt schema")).ToHaveCountAsync(0);
        await page.GotoAsync("schedule");
        await Expect(page.Heading("Logga in", 1)).ToBeVisibleAsync();
    }
}
