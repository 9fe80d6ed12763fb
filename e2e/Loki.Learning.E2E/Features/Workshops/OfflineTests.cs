using Loki.Learning.E2E.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Workshops;

/// The site with the internet down: every request to a host other than this machine is blocked (and recorded) while a
/// stranger walks the public pages, registers for an event, reads the information page with an urgent notice, and the
/// organizer opens the live room. Anything that needed the outside world fails the test.
public sealed class OfflineTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private static bool IsOnThisMachine(string url)
    {
        var uri = new Uri(url);
        return uri.Scheme is not ("http" or "https" or "ws" or "wss") || (uri.IsLoopback && uri.Host is "127.0.0.1" or "localhost" or "[::1]");
    }

    private async Task<(IPage Page, List<string> Outside)> OfflinePageAsync(string? account = null)
    {
        var outside = new List<string>();
        var page = account is null ? await NewPageAsync() : await LogInAsync(account, DemoAccounts.PasswordOf(account));
        await page.Context.RouteAsync("**/*", async route =>
        {
            if (IsOnThisMachine(route.Request.Url))
            {
                await route.ContinueAsync();
            }
            else
            {
                outside.Add(route.Request.Url);
                await route.AbortAsync("internetdisconnected");
            }
        });
        page.WebSocket += (_, socket) =>
        {
            if (!IsOnThisMachine(socket.Url))
            {
                outside.Add(socket.Url);
            }
        };
        return (page, outside);
    }

    [Fact]
    public async Task PublicPagesRegistrationTheInformationPointAndTheLiveRoomNeedNothingFromOutside()
    {
        var (admin, adminOutside) = await OfflinePageAsync(DemoAccounts.Admin);
        await admin.OpenAsync("admin/notices");
        var post = await admin.Button("Publicera").WhenInteractiveAsync();
        await admin.GetByLabel("Meddelandets text").FillAsync("Strömavbrott i Östersund: informationen finns här på det lokala nätet.");
        await admin.GetByLabel("Brådskande").CheckAsync();
        await post.ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Strömavbrott i Östersund" })).ToBeVisibleAsync();

        var (visitor, outside) = await OfflinePageAsync();
        await visitor.OpenAsync("");
        await Expect(visitor.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Strömavbrott i Östersund" })).ToBeVisibleAsync();
        await visitor.Link("Workshoppar").ClickAsync();
        await visitor.Link("Playing together across the mountains").ClickAsync();
        await Expect(visitor.Heading("Playing together across the mountains", 1)).ToBeVisibleAsync();
        await Expect(visitor.Locator("img.event-image")).ToHaveJSPropertyAsync("complete", true);
        var register = await visitor.Button("Anmäl mig").WhenInteractiveAsync();
        await visitor.GetByLabel("Namn", new() { Exact = true }).FillAsync("Offline Olsson");
        await visitor.GetByLabel("E-post", new() { Exact = true }).FillAsync($"offline-{Guid.NewGuid():N}@example.se");
        await visitor.GetByRole(AriaRole.Radio, new() { Name = "Publik", Exact = true }).CheckAsync();
        await visitor.GetByLabel("Jag godkänner").CheckAsync();
        await register.ClickAsync();
        await Expect(visitor.Heading("Du är anmäld", 2)).ToBeVisibleAsync();
        await visitor.Link("Din anmälan").ClickAsync();
        await Expect(visitor.Locator("#registration-status")).ToHaveTextAsync("Anmäld");
        await visitor.OpenAsync("info");
        await Expect(visitor.Heading("Information", 1)).ToBeVisibleAsync();
        await Expect(visitor.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Strömavbrott i Östersund" })).ToBeVisibleAsync();
        await Expect(visitor.GetByText("info@loki.local").First).ToBeVisibleAsync();
        await visitor.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var (organizer, organizerOutside) = await OfflinePageAsync(DemoAccounts.Organizer);
        var eventId = await App.QueryAsync(db => db.Workshops.Where(w => w.Title == "Playing together across the mountains").Select(w => w.Id).SingleAsync());
        await organizer.OpenAsync($"events/{eventId}");
        await organizer.Link("Live-rum").ClickAsync();
        await organizer.Button("Öppna rummet").ClickWhenInteractiveAsync();
        await Expect(organizer.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rummet är öppet." })).ToBeVisibleAsync();
        await Expect(organizer.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Strömavbrott i Östersund" })).ToBeVisibleAsync();
        await Expect(organizer.Heading("Frågor", 2)).ToBeVisibleAsync();
        await organizer.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // Withdraw the notice so that other tests on this app see no banner.
        await admin.OpenAsync("admin/notices");
        var withdraw = admin.GetByRole(AriaRole.Button, new() { Name = "Dra tillbaka meddelandet: Strömavbrott i Östersund", Exact = false });
        await withdraw.ClickWhenInteractiveAsync();
        await Expect(withdraw).ToHaveCountAsync(0);

        var all = outside.Concat(adminOutside).Concat(organizerOutside).Distinct().ToList();
        Assert.True(all.Count == 0, "requested from outside:" + Environment.NewLine + string.Join(Environment.NewLine, all));
    }
}
