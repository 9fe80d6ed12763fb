using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Tests.Hosting;

public sealed class ApiTests(RunningApp app) : IClassFixture<RunningApp>
{
    private Task<HttpClient> SignedInAsync(string email, string password, string? culture = null) => app.SignedInAsync(email, password, culture);

    [Fact]
    public async Task HealthIsGreenWhenTheDatabaseAndTheSiloAreUp()
    {
        var response = await app.Client().GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthAskedForJsonNamesEachCheckAndTheClustersMembers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health");
        request.Headers.Accept.ParseAdd("application/json");
        var health = await (await app.Client().SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal("Healthy", health!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", health["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Equal("1 active silo(s)", health["checks"]!["silo"]!["description"]!.GetValue<string>());
        Assert.Equal(1, health["cluster"]!["activeSilos"]!.GetValue<int>());
        Assert.Equal(health["cluster"]!["silo"]!.GetValue<string>(), health["cluster"]!["silos"]![0]!["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheCourseAndAuthEndpoints()
    {
        var document = await app.Client().GetFromJsonAsync<JsonObject>("openapi/v1.json");

        var paths = document!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/courses", paths);
        Assert.Contains("/api/auth/login", paths);
        Assert.Contains("/api/join-requests", paths);
    }

    [Fact]
    public async Task TheOrleansDashboardOpensForAdminsOnly()
    {
        var admin = await SignedInAsync("admin@demo.loki.local", "Demo-admin-2026");
        var teacher = await SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");

        // The dashboard's page is its folder: /admin/orleans sends the browser on to /admin/orleans/.
        var entry = await admin.GetAsync("admin/orleans");
        var forAdmin = await admin.GetAsync("admin/orleans/");
        var forTeacher = await teacher.GetAsync("admin/orleans/");
        var forAnonymous = await app.Client().GetAsync("admin/orleans/");
        // A teacher's browser (cookie, not token) is refused too, not sent to a page of its own.
        var forTeachersBrowser = await (await app.SignedInWithCookieAsync("teacher@demo.loki.local", "Demo-teacher-2026")).GetAsync("admin/orleans/");
        var forAdminsBrowser = await (await app.SignedInWithCookieAsync("admin@demo.loki.local", "Demo-admin-2026")).GetAsync("admin/orleans/");

        Assert.Equal("/admin/orleans/", entry.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, forAdmin.StatusCode);
        Assert.Contains("<html", await forAdmin.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, forTeacher.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forTeachersBrowser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forAdminsBrowser.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, forAnonymous.StatusCode);
        Assert.StartsWith("/account/login", forAnonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheClusterViewOfASingleNodeListsItsOwnSilo()
    {
        var view = await app.Client().GetFromJsonAsync<JsonObject>("health/cluster");

        Assert.Equal(1, view!["activeSilos"]!.GetValue<int>());
        Assert.Equal(view["silo"]!.GetValue<string>(), view["silos"]![0]!["address"]!.GetValue<string>());
        Assert.Equal("Active", view["silos"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnonymousCallersGet401FromTheApiNotARedirect()
    {
        var response = await app.Client().GetAsync("api/courses");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ABearerTokenFromTheAuthApiListsTheDemoLecturersCourses()
    {
        var client = await SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");

        var courses = await client.GetFromJsonAsync<JsonArray>("api/courses");

        Assert.Contains(courses!, c => c!["title"]!.GetValue<string>() == "Ensemble pedagogy at a distance");
    }

    [Fact]
    public async Task InvalidInputGetsProblemDetailsWithLocalizedFieldErrors()
    {
        var client = await SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026", culture: "sv");

        var response = await client.PostAsJsonAsync("api/courses", new { title = "", capacity = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Fältet måste fyllas i.", problem!["errors"]!["title"]![0]!.GetValue<string>());
        Assert.Equal("Ange ett antal platser från 1 till 1000.", problem["errors"]!["capacity"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task AMalformedBodyIsA400NotA500()
    {
        var client = await SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");

        var response = await client.PostAsync("api/courses", new StringContent("{\"title\": [1,2", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AStudentCreatingACourseGets403WithAReasonInNorwegian()
    {
        var client = await SignedInAsync("student@demo.loki.local", "Demo-student-2026", culture: "nb");

        var response = await client.PostAsJsonAsync("api/courses", new { title = "Mitt eget emne", capacity = 5 });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Bare lærere kan opprette emner.", problem!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task EnrollingTheSameStudentTwiceIsAConflict()
    {
        var client = await SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026", culture: "en");
        var created = await client.PostAsJsonAsync("api/courses", new { title = "Aural skills " + Guid.NewGuid().ToString("N")[..4], capacity = 5 });
        var courseId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var first = await client.PostAsJsonAsync($"api/courses/{courseId}/enrolments", new { student = "student@demo.loki.local" });
        var second = await client.PostAsJsonAsync($"api/courses/{courseId}/enrolments", new { student = "student@demo.loki.local" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("That person is already enrolled.", problem!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task APupilRequestsToJoinWithoutAnAccountAndAWrongCodeIsRefused()
    {
        var response = await app.Client("en").PostAsJsonAsync("api/join-requests", new { code = "WRONG234", displayName = "Mia", guardianConsentForRecording = false });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("class code is not valid", problem!["errors"]!["code"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePublicCalendarOfAPrivateCourseIsNotFound()
    {
        var client = await SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");
        var courses = await client.GetFromJsonAsync<JsonArray>("api/courses");
        var privateCourse = courses!.Single(c => c!["title"]!.GetValue<string>() == "Music technology for networked performance")!["id"]!.GetValue<Guid>();
        var publicCourse = courses!.Single(c => c!["title"]!.GetValue<string>() == "Ensemble pedagogy at a distance")!["id"]!.GetValue<Guid>();

        var hidden = await app.Client().GetAsync($"calendar/courses/{privateCourse}.ics");
        var shown = await app.Client().GetAsync($"calendar/courses/{publicCourse}.ics");

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal("text/calendar", shown.Content.Headers.ContentType!.MediaType);
        var calendar = Ical.Net.Calendar.Load(await shown.Content.ReadAsStringAsync())!;
        Assert.Equal(3, calendar.Events.Count);
    }

    [Fact]
    public async Task TheCulturePickerRemembersTheChoiceInACookie()
    {
        var client = app.Client("en");

        var pick = await client.GetAsync("culture?culture=nb&returnUrl=/institutions");
        var page = await client.GetStringAsync("institutions");

        Assert.Equal(HttpStatusCode.Redirect, pick.StatusCode);
        Assert.Equal("/institutions", pick.Headers.Location!.OriginalString);
        Assert.Contains("<h1>Steder</h1>", page, StringComparison.Ordinal);
        Assert.Contains("lang=\"nb\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCulturePickerDoesNotRedirectOffSite()
    {
        var pick = await app.Client().GetAsync("culture?culture=sv&returnUrl=//evil.example/");

        Assert.Equal("/", pick.Headers.Location!.OriginalString);
    }
}
