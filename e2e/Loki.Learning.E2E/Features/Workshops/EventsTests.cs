using System.Text.RegularExpressions;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Workshops;

/// An organizer publishes a workshop; strangers find it, register, wait, cancel and take an offered place; a performer
/// plays in its live room and a registered listener hears the room's mix through the audience stream.
public sealed class EventsTests(BrowserFixture browser, LokiApp app) : ToneBrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string DemoWorkshop = "Playing together across the mountains";
    private const double PerformerTone = 440;

    // The same margins as the rehearsal test: a 0.5 tone reads 0.1–0.3 through the room; silence 0.000.
    private const double Hears = 0.02;

    /// A stranger registers on the public page and returns the address of their registration.
    private static async Task<string> RegisterAsync(IPage page, string eventPath, string name, string email, string ticket, string expectedHeading)
    {
        await page.OpenAsync(eventPath);
        var register = await page.Button("Anmäl mig").WhenInteractiveAsync();
        await page.GetByLabel("Namn", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("E-post", new() { Exact = true }).FillAsync(email);
        await page.GetByRole(AriaRole.Radio, new() { Name = ticket, Exact = true }).CheckAsync();
        await page.GetByLabel("Jag godkänner").CheckAsync();
        await register.ClickAsync();
        await Expect(page.Heading(expectedHeading, 2)).ToBeVisibleAsync();
        // Relative to the site's base (<base href="/">), as the e-mail's link is.
        return (await page.Link("Din anmälan").GetAttributeAsync("href"))!;
    }

    [Fact]
    public async Task AnOrganizerPublishesTwoStrangersRegisterOneWaitsAndTakesTheFreedPlace()
    {
        var title = "Joik and fiddle " + Guid.NewGuid().ToString("N")[..6];
        var organizer = await LogInAsync(DemoAccounts.Organizer, DemoAccounts.PasswordOf(DemoAccounts.Organizer));
        await organizer.OpenAsync("events");
        await organizer.Link("Nytt evenemang").ClickAsync();
        var create = await organizer.Button("Skapa evenemanget").WhenInteractiveAsync();
        await organizer.GetByLabel("Rubrik", new() { Exact = true }).FillAsync(title);
        await organizer.GetByLabel("Beskrivning").FillAsync("Two evenings of **joik** and fiddle. <script>alert('x')</script>");
        await organizer.GetByLabel("Plats", new() { Exact = true }).FillAsync("Gamla Tingshuset, Östersund");
        await organizer.GetByLabel("Medverkande").FillAsync("0");
        await organizer.GetByLabel("Deltagare").FillAsync("1");
        await organizer.GetByLabel("Publik").FillAsync("0");
        await create.ClickAsync();
        await Expect(organizer.Heading(title, 1)).ToBeVisibleAsync();
        var eventPath = new Uri(organizer.Url).AbsolutePath.TrimStart('/');

        // Strangers find it in the public listing, without logging in.
        var astrid = await NewPageAsync();
        await astrid.OpenAsync("events");
        await astrid.Link(title).ClickAsync();
        await Expect(astrid.Heading(title, 1)).ToBeVisibleAsync();
        await Expect(astrid.Locator(".description strong")).ToHaveTextAsync("joik");
        await Expect(astrid.Locator(".description script")).ToHaveCountAsync(0);
        var astridsRegistration = await RegisterAsync(astrid, eventPath, "Astrid Ek", "astrid.ek@example.se", "Deltagare", "Du är anmäld");

        var bodil = await NewPageAsync();
        var bodilsRegistration = await RegisterAsync(bodil, eventPath, "Bodil Strand", "bodil.strand@example.se", "Deltagare", "Du står på väntelistan");

        // The same address again is refused, in Swedish, and nothing is added.
        var again = await NewPageAsync();
        await again.OpenAsync(eventPath);
        var register = await again.Button("Anmäl mig").WhenInteractiveAsync();
        await again.GetByLabel("Namn", new() { Exact = true }).FillAsync("Bodil again");
        await again.GetByLabel("E-post", new() { Exact = true }).FillAsync("BODIL.STRAND@example.se");
        await again.GetByLabel("Jag godkänner").CheckAsync();
        await register.ClickAsync();
        await Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("E-postadressen är redan anmäld till evenemanget.");

        await astrid.OpenAsync(astridsRegistration);
        await astrid.Button("Avboka min anmälan").ClickWhenInteractiveAsync();
        await Expect(astrid.Locator("#registration-status")).ToHaveTextAsync("Avbokad");

        await bodil.OpenAsync(bodilsRegistration);
        await Expect(bodil.Locator("#registration-status")).ToHaveTextAsync("Plats erbjuden");
        await bodil.Button("Acceptera platsen").ClickWhenInteractiveAsync();
        await Expect(bodil.Locator("#registration-status")).ToHaveTextAsync("Anmäld");

        // The organizer's list, and the e-mails in the outbox an admin reads.
        await organizer.OpenAsync(eventPath + "/attendees");
        await Expect(organizer.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bodil Strand" })).ToContainTextAsync("Anmäld");
        await Expect(organizer.GetByRole(AriaRole.Row).Filter(new() { HasText = "Astrid Ek" })).ToContainTextAsync("Avbokad");
        var admin = await LogInAsync(DemoAccounts.Admin, DemoAccounts.PasswordOf(DemoAccounts.Admin));
        await admin.OpenAsync("admin/outbox");
        await Expect(admin.GetByRole(AriaRole.Article).Filter(new() { HasText = "bodil.strand@example.se" })
            .Filter(new() { HasText = "En plats till dig: " + title })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task ARegisteredListenerHearsThePerformerThroughTheAudienceStream()
    {
        var eventId = await App.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.Workshops.Where(w => w.Title == DemoWorkshop).Select(w => w.Id)));
        var eventPath = $"events/{eventId}";

        // The organizer opens the workshop's live room.
        var organizer = await LogInAsync(DemoAccounts.Organizer, DemoAccounts.PasswordOf(DemoAccounts.Organizer));
        await organizer.OpenAsync(eventPath);
        await organizer.Link("Live-rum").ClickAsync();
        await organizer.Button("Öppna rummet").ClickWhenInteractiveAsync();
        await Expect(organizer.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rummet är öppet." })).ToBeVisibleAsync();
        var roomPath = new Uri(organizer.Url).AbsolutePath.TrimStart('/');

        // A signed-in student registers as a performer and plays a tone in the room.
        var performer = await PersonWithToneAsync(PerformerTone, DemoAccounts.Student, DemoAccounts.PasswordOf(DemoAccounts.Student));
        await performer.OpenAsync(eventPath);
        var register = await performer.Button("Anmäl mig").WhenInteractiveAsync();
        await performer.GetByRole(AriaRole.Radio, new() { Name = "Medverkande", Exact = true }).CheckAsync();
        await performer.GetByLabel("Jag godkänner").CheckAsync();
        await register.ClickAsync();
        await Expect(performer.Heading("Du är anmäld", 2)).ToBeVisibleAsync();
        await ToneBrowsers.EnterRoomAsync(performer, roomPath);
        await ToneBrowsers.ConnectAudioAsync(performer);

        // A stranger with an audience ticket listens from the registration page.
        var listener = await PersonWithToneAsync(1000, login: null, password: null);
        var registration = await RegisterAsync(listener, eventPath, "Kari Nordmann", $"kari-{Guid.NewGuid():N}@example.no", "Publik", "Du är anmäld");
        await listener.OpenAsync(registration);
        await listener.Button("Lyssna").ClickWhenInteractiveAsync();
        await Expect(listener.Locator("#audience-state")).ToHaveTextAsync(new Regex("^(Fyller bufferten…|Spelar.)$"));
        await ToneBrowsers.WaitUntilAsync(
            async () => await listener.EvaluateAsync<double>("f => window.loki.audience.recentOutputLevel(f)", PerformerTone) > Hears,
            async () => $"the listener hears the performer's {PerformerTone} Hz; stats {await listener.EvaluateAsync<string>("() => JSON.stringify(window.loki.audience.stats())")}");
        await Expect(listener.Locator("#audience-state")).ToHaveTextAsync("Spelar.");
        Console.WriteLine($"LEVELS audience hears {PerformerTone} Hz at {await listener.EvaluateAsync<double>("f => window.loki.audience.recentOutputLevel(f)", PerformerTone):F3}; stats {await listener.EvaluateAsync<string>("() => JSON.stringify(window.loki.audience.stats())")}");

        // Without a place there is no stream: a made-up token is refused with its reason.
        var reason = await listener.EvaluateAsync<string>(
            """
            path => new Promise(resolve => {
                const url = new URL(path, window.location.href);
                url.protocol = 'ws:';
                const socket = new WebSocket(url);
                socket.onclose = e => resolve(e.reason);
            })
            """, $"/events/{eventId}/listen?token=made-up");
        Assert.Equal("Refusal.RegistrationNotFound", reason);
    }
}
