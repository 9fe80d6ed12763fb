using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Pages;

/// Checks every main page as the person who would use it: accessible, and served entirely by the platform itself.
public sealed class MainPagesTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string CoursePlaceholder = "{course}";
    private const string EnsemblePlaceholder = "{ensemble}";
    private const string ScorePlaceholder = "{score}";
    private const string RecordingPlaceholder = "{recording}";
    private const string EventPlaceholder = "{event}";

    public static TheoryData<string, string?> MainPages => new()
    {
        { "", null },
        { "account/login", null },
        { "join", null },
        { "workshops", null },
        { "events", null },
        { $"events/{EventPlaceholder}", null },
        { "info", null },
        { "institutions", null },
        { "schedule", DemoAccounts.Lecturer },
        { "courses", DemoAccounts.Lecturer },
        { $"courses/{CoursePlaceholder}", DemoAccounts.Lecturer },
        { "ensembles", DemoAccounts.EnsembleTeacher },
        { $"ensembles/{EnsemblePlaceholder}", DemoAccounts.EnsembleTeacher },
        { $"scores/{ScorePlaceholder}", DemoAccounts.EnsembleTeacher },
        { $"recordings/{RecordingPlaceholder}", DemoAccounts.EnsembleTeacher },
        { "events/new", DemoAccounts.Organizer },
        { $"events/{EventPlaceholder}/attendees", DemoAccounts.Organizer },
        { "admin/notices", DemoAccounts.Admin },
        { "admin/outbox", DemoAccounts.Admin },
        { "admin/visits", DemoAccounts.Admin },
    };

    /// Each page is opened once for both checks: axe finds no serious or critical violation, and nothing the page asks
    /// for (scripts, styles, fonts, images, fetches, sockets) comes from outside the machine.
    [Theory]
    [MemberData(nameof(MainPages))]
    public async Task PassesTheAccessibilityCheckAndRequestsNothingFromOutsideTheMachine(string path, string? account)
    {
        var requested = new List<string>();
        var page = await OpenAsAsync(account, path, requested.Add);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var violations = await page.SeriousAccessibilityViolationsAsync();

        Assert.True(violations.Count == 0, $"/{path}:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
        Assert.Contains(requested, url => url.Contains("_framework/blazor.web", StringComparison.Ordinal));
        var outside = requested.Where(url => !IsOnThisMachine(url)).Distinct().ToList();
        Assert.True(outside.Count == 0, $"/{path} requested:{Environment.NewLine}{string.Join(Environment.NewLine, outside)}");
    }

    [Fact]
    public async Task TheAccessibilityCheckReportsAFieldWithoutALabel()
    {
        var page = await OpenAsAsync(null, "join");
        await page.EvaluateAsync("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\"unlabelled\">')");

        var violations = await page.SeriousAccessibilityViolationsAsync();

        Assert.Contains(violations, v => v.StartsWith("label (critical)", StringComparison.Ordinal) && v.Contains("#unlabelled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRequestCheckReportsAnImageFromAnotherHost()
    {
        var requested = new List<string>();
        var page = await OpenAsAsync(null, "institutions", requested.Add);
        // The request is stopped inside the browser before it reaches the network: tests never send traffic off this machine.
        await page.RouteAsync("http://outside.example/**", route => route.AbortAsync());
        await page.RunAndWaitForRequestAsync(
            () => page.EvaluateAsync("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img alt=\"\" src=\"http://outside.example/logo.png\">')"),
            "http://outside.example/logo.png");

        Assert.Contains("http://outside.example/logo.png", requested.Where(url => !IsOnThisMachine(url)));
    }

    /// Opens <paramref name="path"/> as <paramref name="account"/> (anonymous when null) once it is fully rendered;
    /// every URL the page asks for, scripts, styles, fonts, images, fetches and sockets, goes to <paramref name="requested"/>.
    private async Task<IPage> OpenAsAsync(string? account, string path, Action<string>? requested = null)
    {
        var page = await NewPageAsync();
        if (requested is not null)
        {
            page.Request += (_, request) => requested(request.Url);
            page.WebSocket += (_, socket) => requested(socket.Url);
        }
        if (account is not null)
        {
            await page.LogInAsync(account, DemoAccounts.PasswordOf(account));
        }
        var resolved = path
            .Replace(CoursePlaceholder, (await App.CourseIdAsync("Ensemble pedagogy at a distance")).ToString(), StringComparison.Ordinal)
            .Replace(EnsemblePlaceholder, (await App.EnsembleIdAsync("Mittnorden string orchestra")).ToString(), StringComparison.Ordinal)
            .Replace(ScorePlaceholder, (await App.QueryAsync(db => db.Scores.Where(s => s.Title == "Polska from Mittnorden").Select(s => s.Id).FirstAsync())).ToString(), StringComparison.Ordinal)
            .Replace(EventPlaceholder, (await App.QueryAsync(db => db.Workshops.Where(w => w.Title == "Playing together across the mountains").Select(w => w.Id).SingleAsync())).ToString(), StringComparison.Ordinal);
        if (resolved.Contains(RecordingPlaceholder, StringComparison.Ordinal))
        {
            resolved = resolved.Replace(RecordingPlaceholder, (await App.RecordingOfAsync("Mittnorden string orchestra")).ToString(), StringComparison.Ordinal);
        }
        await page.GotoAsync(resolved);
        if (path != "account/login")
        {
            // The login page is a plain form without a circuit; every other page is taken over by one.
            await page.WaitUntilInteractiveAsync();
        }
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[aria-busy=true]")).ToHaveCountAsync(0);
        return page;
    }

    private static bool IsOnThisMachine(string url)
    {
        var uri = new Uri(url);
        if (uri.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            // data:, blob: and about: URLs never leave the browser.
            return true;
        }
        return uri.IsLoopback && uri.Host is "127.0.0.1" or "localhost" or "[::1]";
    }
}
