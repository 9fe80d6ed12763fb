using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Hosting;

/// The real host with small windows (3 attempts, 5 registrations per event), so the limits show after a few tries.
public sealed class LimitedApp : IAsyncLifetime
{
    public RunningApp App { get; } = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["RateLimits:Login:PermitLimit"] = "3",
            ["RateLimits:Registration:PermitLimit"] = "3",
            ["RateLimits:EnrolmentKey:PermitLimit"] = "3",
            ["RateLimits:ClassCode:PermitLimit"] = "3",
            ["RateLimits:EventRegistration:PermitLimit"] = "5",
        },
    };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// Each test sends from an address of its own on 127.0.0.0/8: the limits are per client address.
public sealed class AbuseLimitTests(LimitedApp limited) : IClassFixture<LimitedApp>
{
    private RunningApp App => limited.App;

    private HttpClient From(int lastByte) => LoginForm.ClientFrom(App.Address, IPAddress.Parse($"127.0.0.{lastByte}"));

    private async Task<HttpClient> SignedInFromAsync(int lastByte, string email, string password)
    {
        var client = From(lastByte);
        var login = await client.PostAsJsonAsync("api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>());
        return client;
    }

    private static object WrongLogin(int n) => new { email = "lecturer@demo.loki.local", password = $"not-the-password-{n}" };

    [Fact]
    public async Task PasswordGuessesFromOneAddressAreCutOffWith429AndRetryAfterWhileOtherAddressesGoOn()
    {
        var guesser = From(31);
        var answers = new List<HttpResponseMessage>();
        for (var n = 0; n < 4; n++)
        {
            answers.Add(await guesser.PostAsJsonAsync("api/auth/login", WrongLogin(n)));
        }
        var neighbour = await From(32).PostAsJsonAsync("api/auth/login", WrongLogin(9));

        Assert.All(answers.Take(3), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[3].StatusCode);
        Assert.True(answers[3].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Unauthorized, neighbour.StatusCode);
    }

    [Fact]
    public async Task TheLoginFormCountsInTheSameWindowAsTheLoginApi()
    {
        var guesser = From(33);
        for (var n = 0; n < 3; n++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.PostAsJsonAsync("api/auth/login", WrongLogin(n))).StatusCode);
        }

        // Even the right password: the address has used its attempts.
        var form = await LoginForm.PostAsync(guesser, "lecturer@demo.loki.local", "Demo-lecturer-2026");

        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.True(form.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("För många försök från det här nätverket.", WebUtility.HtmlDecode(await form.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Null(form.Headers.Location);
    }

    [Fact]
    public async Task StrangersCannotCreateAccountsWhileSelfRegistrationIsOff()
    {
        var email = $"stranger-{Guid.NewGuid():N}@example.org";

        var register = await From(34).PostAsJsonAsync("api/auth/register", new { email, password = "a-long-enough-passphrase" });

        Assert.Equal(HttpStatusCode.Forbidden, register.StatusCode);
        using var scope = App.Services.CreateScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<Person>>().FindByEmailAsync(email));
    }

    [Fact]
    public async Task EnrolmentKeyGuessesAreCutOffEvenBeforeTheRightKey()
    {
        var lecturer = await SignedInFromAsync(50, "lecturer@demo.loki.local", "Demo-lecturer-2026");
        var created = await lecturer.PostAsJsonAsync("api/courses", new { title = "Counterpoint " + Guid.NewGuid().ToString("N")[..6], description = "", capacity = 20, enrolmentKey = "FUGUE-2026", timeZoneId = "Europe/Stockholm", publicCalendar = false });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var courseId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var student = await SignedInFromAsync(35, "student.ntnu@demo.loki.local", "Demo-student-2026");

        var guesses = new List<HttpStatusCode>();
        foreach (var key in new[] { "FUGUE-2024", "FUGUE-2025", "CANON-2026", "FUGUE-2026" })
        {
            guesses.Add((await student.PostAsJsonAsync($"api/courses/{courseId}/self-enrolment", new { key })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests], guesses);
    }

    [Fact]
    public async Task ClassCodeGuessesAreCutOff()
    {
        var guesser = From(36);
        var answers = new List<HttpStatusCode>();
        foreach (var code in new[] { "ABCD2345", "ABCD2346", "ABCD2347", "ABCD2348" })
        {
            answers.Add((await guesser.PostAsJsonAsync("api/join-requests", new { code, displayName = "Vera", instrument = (string?)null, guardianConsentForRecording = false })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task TheJoinPageAndTheJoinApiCountAgainstOneLimiter()
    {
        var limiter = App.Services.GetRequiredService<AbuseLimiter>();
        var address = IPAddress.Parse("127.0.0.43");
        // Three codes tried on the join page (it asks the limiter before each try) …
        for (var n = 0; n < 3; n++)
        {
            Assert.True(limiter.TryAcquire(AbuseLimit.ClassCode, address, out _));
        }

        // … leave the API nothing from that address.
        var answer = await From(43).PostAsJsonAsync("api/join-requests", new { code = "ABCD2345", displayName = "Vera", instrument = (string?)null, guardianConsentForRecording = false });

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
    }

    private async Task<Guid> EventAsync(int organizerAddress)
    {
        var organizer = await SignedInFromAsync(organizerAddress, "organizer@demo.loki.local", "Demo-organizer-2026");
        var start = DateTime.UtcNow.Date.AddDays(20).AddHours(18);
        var created = await organizer.PostAsJsonAsync("api/events", new
        {
            title = "Open rehearsal " + Guid.NewGuid().ToString("N")[..6],
            description = "Come and listen.",
            language = "en",
            online = true,
            timeZoneId = "Europe/Oslo",
            sessions = new[] { new { title = "Evening", start, durationMinutes = 90 } },
            performerPlaces = 0,
            participantPlaces = 0,
            audiencePlaces = 100,
            publish = true,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static object Registration(string name) =>
        new { name, email = $"r-{Guid.NewGuid():N}@example.org", category = "Audience", consent = true };

    [Fact]
    public async Task FortyRegistrationsFromOneAddressGetOnlyThatAddressesShareOfAnEvent()
    {
        var eventId = await EventAsync(51);
        var attacker = From(37);

        var answers = new List<HttpStatusCode>();
        for (var n = 0; n < 40; n++)
        {
            answers.Add((await attacker.PostAsJsonAsync($"api/events/{eventId}/registrations", Registration("Mallory Example"))).StatusCode);
        }
        // The same event spelled in capitals is the same event.
        var shouted = await attacker.PostAsJsonAsync($"api/events/{eventId.ToString().ToUpperInvariant()}/registrations", Registration("Mallory Example"));
        var someoneElse = await From(38).PostAsJsonAsync($"api/events/{eventId}/registrations", Registration("Kari Nordmann"));

        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Created));
        Assert.Equal(35, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, shouted.StatusCode);
        Assert.Equal(HttpStatusCode.Created, someoneElse.StatusCode);
    }

    [Fact]
    public async Task ARegistrationNameMustBeAPersonsName()
    {
        var eventId = await EventAsync(52);
        var sender = From(39);

        foreach (var name in new[] { "Visit http://evil.example now", "<a href=x>Kari</a>", "Kari 2000", "Win.a.prize" })
        {
            var answer = await sender.PostAsJsonAsync($"api/events/{eventId}/registrations", Registration(name));

            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.NotNull((await answer.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["name"]);
        }
    }

    [Fact]
    public async Task NamesFromManyLanguagesAreWelcome()
    {
        var eventId = await EventAsync(53);
        var guest = From(40);

        foreach (var name in new[] { "Åsa O'Neil-Öberg", "Nils-Mikkel Sárá", "Zoë d’Arcy" })
        {
            Assert.Equal(HttpStatusCode.Created, (await guest.PostAsJsonAsync($"api/events/{eventId}/registrations", Registration(name))).StatusCode);
        }
    }

    [Fact]
    public async Task ALockedOutAccountAnswersLikeAWrongPassword()
    {
        var email = $"locked-{Guid.NewGuid():N}@example.org";
        using (var scope = App.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
            var person = new Person { UserName = email, Email = email, DisplayName = "Locked Person" };
            Assert.True((await users.CreateAsync(person, "a-long-enough-passphrase")).Succeeded);
            await users.SetLockoutEndDateAsync(person, DateTimeOffset.UtcNow.AddHours(1));
        }
        var client = From(41);

        var locked = await client.PostAsJsonAsync("api/auth/login", new { email, password = "a-long-enough-passphrase" });
        var unknown = await client.PostAsJsonAsync("api/auth/login", new { email = $"nobody-{Guid.NewGuid():N}@example.org", password = "a-long-enough-passphrase" });

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var lockedBody = (await locked.Content.ReadFromJsonAsync<JsonObject>())!;
        var unknownBody = (await unknown.Content.ReadFromJsonAsync<JsonObject>())!;
        // Everything but the trace id, which names the request.
        lockedBody.Remove("traceId");
        unknownBody.Remove("traceId");
        Assert.Equal(unknownBody.ToJsonString(), lockedBody.ToJsonString());
        Assert.Equal("Failed", lockedBody["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/%5Cevil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/%09/evil.example")]
    public async Task TheLanguageSwitchSendsAForeignReturnAddressHome(string returnUrl)
    {
        var answer = await App.Client().GetAsync($"culture?culture=nb&returnUrl={returnUrl}");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task TheLanguageSwitchReturnsToAPageOfTheSite()
    {
        var answer = await App.Client().GetAsync("culture?culture=nb&returnUrl=/courses%3Fpage%3D2");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/courses?page=2", answer.Headers.Location?.OriginalString);
    }
}
