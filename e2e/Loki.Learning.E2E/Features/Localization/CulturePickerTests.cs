using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Localization;

public sealed class CulturePickerTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    [Fact]
    public async Task SwitchingToNorskAndBackChangesTheHeadingsAndTheChoiceIsRememberedAcrossPages()
    {
        var page = await NewPageAsync();
        await page.OpenAsync("");
        await Expect(page.Heading("Musik tillsammans, på distans", 1)).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "sv");

        await page.Link("Norsk").ClickAsync();
        await Expect(page.Heading("Musikk sammen, på avstand", 1)).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "nb");
        await Expect(page.Link("Norsk")).ToHaveAttributeAsync("aria-current", "true");
        await page.WaitUntilInteractiveAsync();
        await page.Link("Steder").ClickAsync();
        await Expect(page.Heading("Steder", 1)).ToBeVisibleAsync();

        // The choice is a cookie: a new tab in the same browser opens in Norwegian although the browser asks for Swedish.
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == ".AspNetCore.Culture");
        Assert.Equal("c=nb|uic=nb", Uri.UnescapeDataString(cookie.Value));
        var secondTab = await page.Context.NewPageAsync();
        await secondTab.OpenAsync("workshops");
        await Expect(secondTab.Heading("Verksteder", 1)).ToBeVisibleAsync();

        await page.Link("English").ClickAsync();
        await Expect(page.Heading("Sites", 1)).ToBeVisibleAsync();
        await page.WaitUntilInteractiveAsync();
        await page.Link("Workshops").ClickAsync();
        await Expect(page.Heading("Workshops", 1)).ToBeVisibleAsync();

        await page.Link("Svenska").ClickAsync();
        await Expect(page.Heading("Workshoppar", 1)).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.Heading("Workshoppar", 1)).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "sv");
    }
}
