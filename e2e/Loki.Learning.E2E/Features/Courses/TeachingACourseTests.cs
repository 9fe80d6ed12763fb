using System.Text.RegularExpressions;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Courses;

public sealed class TeachingACourseTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Course = "Ensemble pedagogy at a distance";

    [Fact]
    public async Task TheDemoLecturerSchedulesASessionAndEnrolsAStudentByEmail()
    {
        var page = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));

        await page.Link("Kurser").ClickAsync();
        await Expect(page.Heading("Kurser", 1)).ToBeVisibleAsync();
        await page.Link(Course).ClickAsync();
        await Expect(page.Heading(Course, 1)).ToBeVisibleAsync();

        var day = Dates.Next(1, 15);
        await page.ScheduleSessionAsync("Seminar 4: listening at a distance", day, "10:15", 60);

        var session = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Seminar 4: listening at a distance" });
        await Expect(session).ToBeVisibleAsync();
        // In Swedish, on the course's clock: "fredag 15 januari 2027, 10:15–11:15 (Stockholm)".
        await Expect(session).ToContainTextAsync($"15 januari {day.Year}, 10:15–11:15 (Stockholm)");

        var ingrid = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Ingrid Student" });
        await Expect(ingrid).ToHaveCountAsync(0);
        await page.GetByLabel("Skriv in en student (användarnamn eller e-post)").FillAsync(DemoAccounts.NtnuStudent);
        await page.Button("Skriv in").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Studenten är inskriven.");
        await Expect(ingrid).ToBeVisibleAsync();
        await Expect(page.Button("Ta bort Ingrid Student från kursen")).ToBeVisibleAsync();
        await Expect(page.GetByText("Studenter: 2 / 25")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task EnrollingSomeoneWhoDoesNotExistIsRefusedWithAReason()
    {
        var page = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        await page.OpenAsync($"courses/{await App.CourseIdAsync(Course)}");

        var enrol = await page.Button("Skriv in").WhenInteractiveAsync();
        var places = page.GetByText(new Regex(@"Studenter: \d+ / 25"));
        var placesBefore = await places.InnerTextAsync();
        await page.GetByLabel("Skriv in en student (användarnamn eller e-post)").FillAsync("nobody@demo.loki.local");
        await enrol.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Ingen med det användarnamnet eller den e-postadressen.");
        await Expect(page.GetByText("nobody@demo.loki.local")).ToHaveCountAsync(0);
        await Expect(places).ToHaveTextAsync(placesBefore);
    }

    [Fact]
    public async Task ASessionInTheHourTheClocksSkipIsRefusedAndNotScheduled()
    {
        var page = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        await page.OpenAsync($"courses/{await App.CourseIdAsync(Course)}");

        var schedule = await page.Button("Lägg till i schemat").WhenInteractiveAsync();
        await page.GetByLabel("Rubrik").FillAsync("Night seminar: the lost hour");
        await page.GetByLabel("Börjar").FillAsync($"{Dates.NextSpringForward():yyyy-MM-dd}T02:30");
        await schedule.ClickAsync();

        const string message = "Den tiden finns inte: klockan ställs fram då. Välj en annan tid.";
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(message);
        await Expect(page.GetByLabel("Börjar")).ToHaveAccessibleDescriptionAsync(message);
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Night seminar: the lost hour" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ANewCoursesCalendarStaysPrivateUntilItsLecturerPublishesIt()
    {
        var page = await LogInAsync(DemoAccounts.Lecturer, DemoAccounts.PasswordOf(DemoAccounts.Lecturer));
        await page.OpenAsync("courses");
        var create = await page.Button("Skapa kurs").WhenInteractiveAsync();
        await page.GetByLabel("Rubrik").FillAsync("Improvisation across the border");
        await page.GetByLabel("Beskrivning").FillAsync("Free playing between Trondheim and Sundsvall.");
        await page.GetByLabel("Platser").FillAsync("12");
        await page.GetByLabel("Tidszon").SelectOptionAsync(new SelectOptionValue { Label = "Norsk tid" });
        await create.ClickAsync();

        await Expect(page.Heading("Improvisation across the border", 1)).ToBeVisibleAsync();
        await Expect(page.GetByText("Lärare: Lena Lektor · Studenter: 0 / 12")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Börjar (Norsk tid)")).ToBeVisibleAsync();
        await Expect(page.GetByText("Schemat syns bara för medlemmar.", new() { Exact = false })).ToBeVisibleAsync();
        var courseId = new Uri(page.Url).Segments.Last();
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using (var hidden = await http.GetAsync($"calendar/courses/{courseId}.ics"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, hidden.StatusCode);
        }

        await page.Button("Publicera kalendern").ClickWhenInteractiveAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Kalenderns synlighet är ändrad.");
        await Expect(page.GetByText($"{App.BaseAddress}calendar/courses/{courseId}.ics")).ToBeVisibleAsync();
        using var open = await http.GetAsync($"calendar/courses/{courseId}.ics");
        Assert.Equal(System.Net.HttpStatusCode.OK, open.StatusCode);
        Assert.Contains("X-WR-CALNAME:Improvisation across the border", await open.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
