using System.Net;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Ensembles;

public sealed class LeadingAnEnsembleTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";

    [Fact]
    public async Task ARehearsalTheTeacherSchedulesReachesThePupilsScheduleAndThePublicFeed()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        var ensembleId = await App.EnsembleIdAsync(Ensemble);
        await teacher.OpenAsync($"ensembles/{ensembleId}");
        var day = Dates.Next(7, 15);

        var schedule = await teacher.Button("Lägg till i schemat").WhenInteractiveAsync();
        await teacher.GetByLabel("Rubrik").FillAsync("Summer rehearsal: Grieg's Holberg suite");
        await teacher.GetByLabel("Börjar").FillAsync($"{day:yyyy-MM-dd}T17:30");
        await teacher.GetByLabel("Längd (minuter)").FillAsync("75");
        await schedule.ClickAsync();

        var rehearsal = teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Summer rehearsal: Grieg's Holberg suite" });
        await Expect(rehearsal).ToContainTextAsync($"15 juli {day.Year}, 17:30–18:45 (Stockholm)");

        var pupil = await LogInAsync(DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
        await Expect(pupil.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Summer rehearsal: Grieg's Holberg suite" }))
            .ToContainTextAsync($"15 juli {day.Year}, 17:30–18:45 (Stockholm)");

        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync($"calendar/ensembles/{ensembleId}.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;
        var entry = calendar.Events.Single(e => e.Summary == $"{Ensemble}: Summer rehearsal: Grieg's Holberg suite");
        Assert.Equal(new DateTime(day.Year, 7, 15, 15, 30, 0, DateTimeKind.Utc), entry.DtStart!.AsUtc);
    }
}
