using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Workshops;

/// The events API and the public event files on the real host with its demo data.
public sealed class EventsApiTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Organizer = "organizer@demo.loki.local";
    private const string OrganizerPassword = "Demo-organizer-2026";

    /// A published online event with two sessions (a masterclass and a concert) three weeks ahead.
    internal static object NewWorkshop(string title, int audience = 2, string description = "A *public* evening.") => new
    {
        title,
        description,
        language = "en",
        online = true,
        timeZoneId = "Europe/Oslo",
        sessions = new[]
        {
            new { title = "Masterclass", start = DateTime.UtcNow.Date.AddDays(20).AddHours(18), durationMinutes = 90 },
            new { title = "Concert", start = DateTime.UtcNow.Date.AddDays(21).AddHours(19), durationMinutes = 60 },
        },
        performerPlaces = 0,
        participantPlaces = 0,
        audiencePlaces = audience,
        publish = true,
    };

    private async Task<Guid> CreateAsync(int audience = 2)
    {
        var organizer = await app.SignedInAsync(Organizer, OrganizerPassword);
        var created = await organizer.PostAsJsonAsync("api/events", NewWorkshop("Masterclass in Trondheim " + Guid.NewGuid().ToString("N")[..6], audience));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static object Visitor(string? email = null) => new { name = "Kari Nordmann", email = email ?? $"kari-{Guid.NewGuid():N}@example.no", category = "Audience", consent = true };

    [Fact]
    public async Task AnyoneListsThePublishedEventsIncludingTheDemoWorkshop()
    {
        var events = await app.Client().GetFromJsonAsync<JsonArray>("api/events");

        Assert.Contains(events!, e => e!["title"]!.GetValue<string>() == "Playing together across the mountains");
    }

    [Fact]
    public async Task AStrangerRegistersIsWaitlistedWhenFullCancelsAndTheOrganizerSeesTheList()
    {
        var eventId = await CreateAsync(audience: 1);
        var anonymous = app.Client();

        var first = await anonymous.PostAsJsonAsync($"api/events/{eventId}/registrations", Visitor());
        var second = await anonymous.PostAsJsonAsync($"api/events/{eventId}/registrations", Visitor());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("registered", firstBody["status"]!.GetValue<string>());
        Assert.Equal("waitlisted", (await second.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());

        var cancelled = await anonymous.DeleteAsync($"api/events/{eventId}/registrations/{firstBody["token"]!.GetValue<string>()}");
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"api/events/{eventId}/registrations")).StatusCode);
        var organizer = await app.SignedInAsync(Organizer, OrganizerPassword);
        var attendees = await organizer.GetFromJsonAsync<JsonArray>($"api/events/{eventId}/registrations");
        Assert.Equal(["Cancelled", "Offered"], attendees!.Select(a => a!["status"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task BadRegistrationsGetLocalizedProblemsAndWriteNothing()
    {
        var eventId = await CreateAsync();
        var swedish = app.Client("sv");
        var email = $"dup-{Guid.NewGuid():N}@example.se";
        await swedish.PostAsJsonAsync($"api/events/{eventId}/registrations", Visitor(email));

        var duplicate = await swedish.PostAsJsonAsync($"api/events/{eventId}/registrations", Visitor(email));
        var malformed = await app.Client("nb").PostAsJsonAsync($"api/events/{eventId}/registrations", Visitor("kari@"));
        var unknown = await swedish.PostAsJsonAsync($"api/events/{Guid.NewGuid()}/registrations", Visitor());
        var badToken = await swedish.DeleteAsync($"api/events/{eventId}/registrations/made-up");

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("E-postadressen är redan anmäld till evenemanget.", (await duplicate.Content.ReadFromJsonAsync<JsonObject>())!["title"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("Oppgi en e-postadresse som navn@eksempel.no.", (await malformed.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["email"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, badToken.StatusCode);
        var organizer = await app.SignedInAsync(Organizer, OrganizerPassword);
        Assert.Single((await organizer.GetFromJsonAsync<JsonArray>($"api/events/{eventId}/registrations"))!);
    }

    [Fact]
    public async Task OnlyOrganizersCreateEventsAndMarkupInTheTitleIsRefused()
    {
        var student = await app.SignedInAsync("student@demo.loki.local", "Demo-student-2026", culture: "en");
        var organizer = await app.SignedInAsync(Organizer, OrganizerPassword, culture: "en");

        var byStudent = await student.PostAsJsonAsync("api/events", NewWorkshop("A student's event"));
        var anonymous = await app.Client().PostAsJsonAsync("api/events", NewWorkshop("Nobody's event"));
        var script = await organizer.PostAsJsonAsync("api/events", NewWorkshop("<script>alert(1)</script>"));

        Assert.Equal(HttpStatusCode.Forbidden, byStudent.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, script.StatusCode);
        Assert.Equal("Write plain text without < or >.", (await script.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["title"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task TheEventsCalendarFileParsesWithOneEntryPerSessionInUtc()
    {
        var eventId = await CreateAsync();

        var response = await app.Client().GetAsync($"events/{eventId}.ics");

        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;
        var sessions = calendar.Events.OrderBy(e => e.DtStart!.AsUtc).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.EndsWith(": Masterclass", sessions[0].Summary, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(90), sessions[0].DtEnd!.AsUtc - sessions[0].DtStart!.AsUtc);
        Assert.Equal($"/events/{eventId}", sessions[1].Url!.AbsolutePath);
        Assert.Equal(2, sessions.Select(s => s.Uid).Distinct().Count());
    }

    [Fact]
    public async Task ThePublicPagesAndTheInformationPointNeedNoLoginAndCarryOpenGraphTags()
    {
        var eventId = await CreateAsync();
        var anonymous = app.Client("en");

        var page = await anonymous.GetStringAsync($"events/{eventId}");
        var info = await anonymous.GetAsync("info");

        Assert.Contains("<meta property=\"og:title\" content=\"Masterclass in Trondheim", page, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:description\" content=\"A public evening.\"", page, StringComparison.Ordinal);
        Assert.Contains("<em>public</em>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Contains("<h1>Information</h1>", await info.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnonymousAttemptToJoinTheLiveRoomIsRefused()
    {
        var details = await app.Client().GetFromJsonAsync<JsonObject>($"api/events/{await CreateAsync()}");

        var join = await app.Client().PostAsync($"api/rooms/{details!["roomId"]!.GetValue<Guid>()}/join", null);
        var page = await app.Client().GetAsync($"rooms/{details["roomId"]!.GetValue<Guid>()}");

        Assert.Equal(HttpStatusCode.Unauthorized, join.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
    }
}
