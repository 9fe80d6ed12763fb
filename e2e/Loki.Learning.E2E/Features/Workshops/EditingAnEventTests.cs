using System.Text.RegularExpressions;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Workshops;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Workshops;

/// After publishing, an organizer moves a session (the registrant hears of it by mail), gives the event a picture,
/// and writes to everyone registered; the visitor sees what each ticket means and registers as audience by default.
public sealed partial class EditingAnEventTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private async Task<(string Title, Guid EventId)> PublishedEventAsync()
    {
        var organizerId = await App.QueryAsync(db => db.Users.Where(u => u.Email == DemoAccounts.Organizer).Select(u => u.Id).SingleAsync());
        var title = "Fiddle weekend " + Guid.NewGuid().ToString("N")[..6];
        var start = Schedule.ToLocal(DateTime.UtcNow, "Europe/Stockholm").Date.AddDays(14).AddHours(18);
        var id = await App.Service<IMediator>().Send(new CreateWorkshop(new Actor(organizerId, new HashSet<string> { Roles.Organizer }), title,
            "Two evenings of **fiddle** tunes from Jämtland.", "sv", "Gamla Tingshuset, Östersund", Online: true, ImagePath: null, "Europe/Stockholm",
            [new NewWorkshopSession("Första kvällen", start, 120), new NewWorkshopSession("Andra kvällen", start.AddDays(1), 120)],
            PerformerPlaces: 2, ParticipantPlaces: 6, AudiencePlaces: 50, Publish: true));
        return (title, id);
    }

    private static string PictureFile(string folder)
    {
        var path = Path.Combine(folder, "fiddlers.png");
        using var bitmap = new SKBitmap(new SKImageInfo(1600, 900));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint())
        {
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(1600, 900),
                [new SKColor(0x1f, 0x4e, 0x79), new SKColor(0xe0, 0x9f, 0x3e)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, 1600, 900, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }

    private IReadOnlyList<OutboxMessage> MailsTo(string address) =>
        App.Service<Mailer>().Outbox.Read(2000).Where(m => m.To.Contains(address, StringComparison.OrdinalIgnoreCase)).ToList();

    private static async Task AccessibleAsync(IPage page, string state)
    {
        var violations = await page.SeriousAccessibilityViolationsAsync();
        Assert.True(violations.Count == 0, $"{state}:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
    }

    [Fact]
    public async Task AnOrganizerMovesASessionGivesTheEventAPictureAndWritesToEveryoneRegistered()
    {
        var (title, eventId) = await PublishedEventAsync();
        var eventPath = $"events/{eventId}";
        var folder = Directory.CreateTempSubdirectory("loki-e2e-image-").FullName;

        // A visitor reads what each ticket means; the audience ticket is already chosen.
        var visitor = await NewPageAsync();
        await visitor.OpenAsync(eventPath);
        var register = await visitor.Button("Anmäl mig").WhenInteractiveAsync();
        await Expect(visitor.GetByRole(AriaRole.Radio, new() { Name = "Publik", Exact = true })).ToBeCheckedAsync();
        await Expect(visitor.GetByText("Lyssnar på strömmen från anmälningssidan; den vanligaste biljetten.")).ToBeVisibleAsync();
        await Expect(visitor.Locator("#event-venue")).ToHaveTextAsync("Gamla Tingshuset, Östersund");
        await Expect(visitor.Locator("#event-online")).ToHaveTextAsync("Ja, via det levande rummet");
        await Expect(visitor.Locator("#event-language")).ToHaveTextAsync("Svenska");
        await Screenshots.TakeAsync(visitor, "event-tickets", page => page.GetByRole(AriaRole.Group, new() { Name = "Biljett" }).ScrollIntoViewIfNeededAsync());
        await AccessibleAsync(visitor, "the event page with its tickets");
        var email = $"astrid-{Guid.NewGuid():N}@example.se";
        await visitor.GetByLabel("Namn", new() { Exact = true }).FillAsync("Astrid Ek");
        await visitor.GetByLabel("E-post", new() { Exact = true }).FillAsync(email);
        await visitor.GetByLabel("Jag godkänner").CheckAsync();
        await register.ClickAsync();
        await Expect(visitor.Heading("Du är anmäld", 2)).ToBeVisibleAsync();
        // The confirmation links to the address the visitor used, not to localhost:5080.
        var confirmation = Assert.Single(MailsTo(email));
        Assert.StartsWith(App.BaseAddress + "registrations/", LinkIn(confirmation.Body), StringComparison.Ordinal);

        // The organizer moves the first evening an hour later; a too-short session is refused first and nothing typed is lost.
        var organizer = await LogInAsync(DemoAccounts.Organizer, DemoAccounts.PasswordOf(DemoAccounts.Organizer));
        await organizer.OpenAsync(eventPath);
        await organizer.Link("Redigera evenemanget").ClickAsync();
        var save = await organizer.Button("Spara ändringarna").WhenInteractiveAsync();
        var start = organizer.GetByLabel("Tillfälle 1: börjar");
        var movedTo = DateTime.Parse(await start.InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture).AddHours(1);
        await organizer.GetByLabel("Beskrivning").FillAsync("Two evenings of **fiddle** tunes. Bring your own instrument.");
        await start.FillAsync(movedTo.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await organizer.GetByLabel("Tillfälle 2: minuter").FillAsync("5");
        await save.ClickAsync();
        await Expect(organizer.Locator("#event-sessions-problem")).ToHaveTextAsync("Ett tillfälle varar från 15 minuter till 12 timmar.");
        await Expect(organizer.GetByLabel("Beskrivning")).ToHaveValueAsync("Two evenings of **fiddle** tunes. Bring your own instrument.");
        await Expect(start).ToHaveValueAsync(new Regex("^" + movedTo.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        await Screenshots.TakeAsync(organizer, "event-edit-refused", page => Expect(page.Locator("#event-sessions-problem")).ToBeVisibleAsync());
        await AccessibleAsync(organizer, "the edit form with a refusal");
        await organizer.GetByLabel("Tillfälle 2: minuter").FillAsync("120");
        await save.ClickAsync();
        await Expect(organizer.Locator("#edit-saved")).ToContainTextAsync("Sparat. 1 anmäld fick e-post om de här ändringarna:");
        await Expect(organizer.Locator("#edit-saved li")).ToContainTextAsync("Första kvällen flyttas från");
        await Screenshots.TakeAsync(organizer, "event-edit-saved", page => Expect(page.Locator("#edit-saved")).ToBeVisibleAsync());
        await AccessibleAsync(organizer, "the edit form after saving");
        var changed = Assert.Single(MailsTo(email), m => m.Subject == "Ändrat: " + title);
        Assert.Contains("Första kvällen flyttas från", changed.Body, StringComparison.Ordinal);
        Assert.StartsWith(App.BaseAddress + "registrations/", LinkIn(changed.Body), StringComparison.Ordinal);

        // A text file named like a picture is refused with its reason; a real picture goes up with its description.
        var notAPicture = Path.Combine(folder, "poster.png");
        await File.WriteAllTextAsync(notAPicture, "This is a poster, honestly.");
        await organizer.GetByLabel("Vad bilden visar").FillAsync("Five fiddlers on a stage in Gamla Tingshuset");
        await organizer.GetByLabel("Bildfil").SetInputFilesAsync(notAPicture);
        await organizer.Button("Ladda upp bilden").ClickAsync();
        await Expect(organizer.Locator("#image-file-problem")).ToHaveTextAsync("Filen är ingen PNG-, JPEG-, WebP- eller GIF-bild, vad namnet än säger.");
        await Expect(organizer.GetByLabel("Vad bilden visar")).ToHaveValueAsync("Five fiddlers on a stage in Gamla Tingshuset");
        await AccessibleAsync(organizer, "the picture form with a refusal");
        await organizer.GetByLabel("Bildfil").SetInputFilesAsync(PictureFile(folder));
        await organizer.Button("Ladda upp bilden").ClickAsync();
        await Expect(organizer.Locator("#image-status")).ToHaveTextAsync("Bilden finns på evenemangets sida.");
        await Expect(organizer.Locator("img.event-image-preview")).ToHaveAttributeAsync("alt", "Five fiddlers on a stage in Gamla Tingshuset");
        await organizer.Locator("#image-heading").ScrollIntoViewIfNeededAsync();
        await Screenshots.TakeAsync(organizer, "event-image-uploaded", page => Expect(page.Locator("#image-status")).ToBeVisibleAsync());

        // The public page shows it, scaled on the server, described for those who cannot see it.
        await visitor.OpenAsync(eventPath);
        var picture = visitor.GetByRole(AriaRole.Img, new() { Name = "Five fiddlers on a stage in Gamla Tingshuset" });
        await Expect(picture).ToBeVisibleAsync();
        Assert.Equal(1200, await picture.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))"));
        await Screenshots.TakeAsync(visitor, "event-page-picture", page => Expect(page.Heading(title, 1)).ToBeVisibleAsync());
        await AccessibleAsync(visitor, "the event page with its picture");

        // The organizer writes to everyone with a place.
        await organizer.OpenAsync(eventPath + "/attendees");
        var send = await organizer.Button("Skicka e-post").WhenInteractiveAsync();
        await organizer.GetByLabel("Ämne").FillAsync("Ta med notställ");
        await organizer.GetByLabel("Meddelande").FillAsync("Det finns inga notställ i salen. Ta med ett eget!");
        await send.ClickAsync();
        await Expect(organizer.Locator("#mail-all-status")).ToHaveTextAsync("Skickat till 1 person.");
        await organizer.Locator("#mail-all-heading").ScrollIntoViewIfNeededAsync();
        await Screenshots.TakeAsync(organizer, "event-mail-all-sent", page => Expect(page.Locator("#mail-all-status")).ToBeVisibleAsync());
        await AccessibleAsync(organizer, "the attendee list after mailing everyone");
        var note = Assert.Single(MailsTo(email), m => m.Subject == $"{title}: Ta med notställ");
        Assert.Contains("Det finns inga notställ i salen. Ta med ett eget!", note.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", note.Body, StringComparison.OrdinalIgnoreCase);
    }

    private static string LinkIn(string body) => Link().Match(body).Value;

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();
}
