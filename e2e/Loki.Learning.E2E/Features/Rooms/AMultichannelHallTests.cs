using System.Net;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// A concert hall joins the teacher's rehearsal over JackTrip with 8 channels, and the teacher's own studio client asks
/// for 8 channels back. In the mixer the teacher opens the hall's channels, moves channel 1 hard right, and takes all
/// eight unmixed into the studio. Screenshots at a laptop's and a phone's size; axe-core checks each state.
public sealed class AMultichannelHallTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";

    [Fact]
    public async Task TheTeacherPlacesTheHallsChannelsAndTakesThemUnmixed()
    {
        var (roomId, teacherId, pupilId, pupilName) = await App.QueryAsync(async db =>
        {
            var rehearsal = await db.Meetings.Where(r => r.OwnerKind == OwnerKind.Ensemble && db.Ensembles.Any(e => e.Id == r.OwnerId && e.Name == Ensemble)).OrderBy(r => r.StartsUtc).FirstAsync();
            var teacherId = await db.Users.Where(u => u.Email == DemoAccounts.EnsembleTeacher).Select(u => u.Id).SingleAsync();
            var pupil = await db.Users.Where(u => u.Email == DemoAccounts.Pupil).Select(u => new { u.Id, u.DisplayName }).SingleAsync();
            return (rehearsal.RoomId, teacherId, pupil.Id, pupil.DisplayName);
        });
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.SetViewportSizeAsync(1366, 768);
        await teacher.OpenAsync($"rooms/{roomId}");
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        await teacher.GetByRole(AriaRole.Dialog, new() { Name = "Anslut ljud" }).GetByRole(AriaRole.Button, new() { Name = "Inte nu" }).ClickWhenInteractiveAsync();

        // The hall (the pupil's JackTrip client, 8 channels) and the teacher's studio client (wants 8 channels back).
        var mediator = App.Service<IMediator>();
        var hallJoin = await mediator.Send(new JoinRoom(new Actor(pupilId, new HashSet<string> { Roles.Student }), roomId));
        var studioJoin = await mediator.Send(new JoinRoom(new Actor(teacherId, new HashSet<string> { Roles.Teacher }), roomId));
        var hub = new IPEndPoint(IPAddress.Loopback, hallJoin.JackTripPort);
        await using var hall = await FakeJackTripClient.ConnectAsync(hub, hallJoin.JackTripCode, channels: 8, channelsWanted: 2);
        await using var studio = await FakeJackTripClient.ConnectAsync(hub, studioJoin.JackTripCode, channels: 2, channelsWanted: 8);
        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var streaming = Task.WhenAll(
            hall.StreamAsync(180, (frame, channel) => (float)(0.2 * Math.Sin(2 * Math.PI * (300 + (200 * channel)) * frame / 48000)), stop: done.Token),
            studio.StreamAsync(180, (_, _) => 0f, stop: done.Token));

        var hallStrip = teacher.Locator(".strip").Filter(new() { HasText = pupilName });
        await Expect(hallStrip).ToContainTextAsync("8 kanaler", new() { Timeout = 30_000 });
        var channels = hallStrip.Locator("details.site-channels");
        await channels.Locator("summary").ClickAsync(); // the page is interactive: its controls answered above
        await Expect(channels.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(8);
        var pan = channels.GetByLabel($"Panorering för kanal 1 från {pupilName}");
        await Expect(pan).ToHaveValueAsync("0"); // hard left
        await Expect(channels.Locator(".channel-row").First).ToContainTextAsync("V 100");
        await Expect(channels.Locator(".channel-row").Nth(3)).ToContainTextAsync("50 % (−6,0 dB)");
        await channels.ScrollIntoViewIfNeededAsync();
        await teacher.SaveAsync("room-multichannel-hall");
        await NoSeriousViolationsAsync(teacher);

        // Channel 1 hard right: the slider and its value follow the room.
        await pan.FocusAsync();
        await teacher.Keyboard.PressAsync("End");
        await Expect(channels.Locator(".channel-row").First).ToContainTextAsync("H 100");
        await Expect(pan).ToHaveValueAsync("200"); // hard right

        // All eight unmixed to the teacher's own studio client.
        var toMe = channels.GetByLabel("Mig (Tove Lärare)");
        await toMe.CheckAsync();
        var me = teacher.Locator(".strip.me");
        await Expect(me).ToContainTextAsync($"tar emot {pupilName} omixat");
        await Expect(toMe).ToBeCheckedAsync();
        await channels.ScrollIntoViewIfNeededAsync();
        await teacher.SaveAsync("room-multichannel-passthrough");
        await NoSeriousViolationsAsync(teacher);

        // A phone: the channel panel fits its column, nothing of it runs off the side.
        await teacher.SetViewportSizeAsync(390, 844);
        await channels.ScrollIntoViewIfNeededAsync();
        await teacher.SaveAsync("room-multichannel-passthrough");
        Assert.True(await channels.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= window.innerWidth"), "the channel panel runs off a phone's screen");
        await NoSeriousViolationsAsync(teacher);

        // Reset: every channel back to the even spread.
        await channels.GetByRole(AriaRole.Button, new() { Name = "Återställ till jämn spridning" }).ClickAsync();
        await Expect(pan).ToHaveValueAsync("0"); // hard left

        await done.CancelAsync();
        await streaming;
    }

    private static async Task NoSeriousViolationsAsync(IPage page)
    {
        var violations = await page.SeriousAccessibilityViolationsAsync();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
