using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Workshops;

/// A school's node behind its proxy, without Site:PublicUrl: the operator listed the site's name in AllowedHosts.
public sealed class SchoolBehindProxy : IAsyncLifetime
{
    public RunningApp App { get; } = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Proxy:KnownProxies"] = "127.0.0.1",
            ["AllowedHosts"] = "school.example;127.0.0.1;localhost",
        },
    };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// Links in registration mails go to the address the person registered through, never to localhost:5080 (the
/// default when Site:PublicUrl is not set), and never to a host name a caller made up.
public sealed partial class RegistrationLinkTests(SchoolBehindProxy school, RunningApp plain) : IClassFixture<SchoolBehindProxy>, IClassFixture<RunningApp>
{
    private const string Organizer = "organizer@demo.loki.local";
    private const string OrganizerPassword = "Demo-organizer-2026";

    private static async Task<Guid> CreateEventAsync(RunningApp app)
    {
        var organizer = await app.SignedInAsync(Organizer, OrganizerPassword);
        var created = await organizer.PostAsJsonAsync("api/events", EventsApiTests.NewWorkshop("Links " + Guid.NewGuid().ToString("N")[..6], audience: 20));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<(string Token, OutboxMessage Mail)> RegisterAsync(RunningApp app, HttpRequestMessage request, string email)
    {
        using var client = app.Client();
        var answer = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var token = (await answer.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        var mail = Assert.Single(app.Services.GetRequiredService<Mailer>().Outbox.Read(1000), m => m.To.Contains(email, StringComparison.OrdinalIgnoreCase));
        return (token, mail);
    }

    private static HttpRequestMessage Registration(RunningApp app, Guid eventId, string email) =>
        new(HttpMethod.Post, new Uri(app.Address, $"api/events/{eventId}/registrations"))
        {
            Content = JsonContent.Create(new { name = "Kari Nordmann", email, category = "Audience", consent = true }),
        };

    [Fact]
    public async Task ARegistrationMadeThroughHttpsSchoolExampleIsMailedInTheVisitorsLanguageWithLinksToThatHost()
    {
        var eventId = await CreateEventAsync(school.App);
        var email = $"kari-{Guid.NewGuid():N}@example.no";
        var request = Registration(school.App, eventId, email);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "school.example");
        request.Headers.Add("X-Forwarded-For", "192.0.2.41");
        request.Headers.AcceptLanguage.ParseAdd("nb");

        var (token, mail) = await RegisterAsync(school.App, request, email);

        Assert.StartsWith("Påmeldt: ", mail.Subject, StringComparison.Ordinal);
        Assert.Equal([$"https://school.example/registrations/{token}"], Links().Matches(mail.Body).Select(m => m.Value));
        Assert.DoesNotContain("localhost", mail.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegistrationUnderAHostNameTheCallerMadeUpLinksToThisServersOwnAddressNotThereAndNotLocalhost()
    {
        var eventId = await CreateEventAsync(plain);
        var email = $"victim-{Guid.NewGuid():N}@example.no";
        var request = Registration(plain, eventId, email);
        request.Headers.Host = "evil.example";

        var (token, mail) = await RegisterAsync(plain, request, email);

        Assert.Equal([new Uri(plain.Address, $"registrations/{token}").ToString()], Links().Matches(mail.Body).Select(m => m.Value));
        Assert.DoesNotContain("evil.example", mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", mail.Body, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Links();
}
