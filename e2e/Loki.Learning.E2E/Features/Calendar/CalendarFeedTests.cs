using System.Net;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Calendar;

public sealed class CalendarFeedTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string PublicCourse = "Ensemble pedagogy at a distance";
    private const string PrivateCourse = "Music technology for networked performance";

    [Fact]
    public async Task ThePersonalFeedOnMyScheduleCarriesScheduledSessionsAtTheirUtcStartOnBothSidesOfDaylightSaving()
    {
        var page = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        await page.OpenAsync($"courses/{await App.CourseIdAsync(PublicCourse)}");
        var winter = Dates.Next(1, 15);
        var summer = Dates.Next(7, 15);
        await page.ScheduleSessionAsync("Winter seminar: bowing together", winter, "10:15", 90);
        await page.ScheduleSessionAsync("Summer seminar: tuning by ear", summer, "10:15", 90);

        await page.Link("Mitt schema").First.ClickAsync();
        await Expect(page.Heading("Mitt schema", 1)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Winter seminar: bowing together" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Summer seminar: tuning by ear" })).ToBeVisibleAsync();
        var feedUrl = await page.GetByLabel("Flödets adress").InputValueAsync();
        Assert.StartsWith($"{App.BaseAddress}calendar/me/", feedUrl, StringComparison.Ordinal);

        using var http = new HttpClient();
        using var response = await http.GetAsync(feedUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;

        // Stockholm is UTC+1 in January and UTC+2 in July: the same wall-clock time is two different UTC hours.
        var winterEvent = calendar.Events.Single(e => e.Summary == $"{PublicCourse}: Winter seminar: bowing together");
        Assert.Equal(new DateTime(winter.Year, 1, 15, 9, 15, 0, DateTimeKind.Utc), winterEvent.DtStart!.AsUtc);
        Assert.Equal(new DateTime(winter.Year, 1, 15, 10, 45, 0, DateTimeKind.Utc), winterEvent.DtEnd!.AsUtc);
        var summerEvent = calendar.Events.Single(e => e.Summary == $"{PublicCourse}: Summer seminar: tuning by ear");
        Assert.Equal(new DateTime(summer.Year, 7, 15, 8, 15, 0, DateTimeKind.Utc), summerEvent.DtStart!.AsUtc);
        Assert.Contains(calendar.Events, e => e.Summary == $"{PrivateCourse}: Lab: a hub on the local network");
    }

    [Fact]
    public async Task APrivateCourseHasNoPublicFeedWhileAPublicOneHas()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };

        using var hidden = await http.GetAsync($"calendar/courses/{await App.CourseIdAsync(PrivateCourse)}.ics");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);

        using var open = await http.GetAsync($"calendar/courses/{await App.CourseIdAsync(PublicCourse)}.ics");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        var calendar = Ical.Net.Calendar.Load(await open.Content.ReadAsStringAsync())!;
        Assert.Contains(calendar.Events, e => e.Summary == $"{PublicCourse}: Seminar 1: what latency does to a groove");
    }
}
