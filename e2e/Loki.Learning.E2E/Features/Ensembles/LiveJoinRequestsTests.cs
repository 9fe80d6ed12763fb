using Loki.Learning.E2E.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Ensembles;

/// The teacher keeps the ensemble page open while a pupil, at another computer, asks to join: the request and the
/// count of waiting requests appear without a reload. The code names its kulturskola, which the pupil's receipt
/// shows. Then the teacher revokes the code, and the next pupil who tries it is told so and nothing is filed.
public sealed class LiveJoinRequestsTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string School = "Härnösands kulturskola";

    [Fact]
    public async Task ARequestArrivesLiveOnTheTeachersPageAndARevokedCodeIsRefused()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        var ensembleId = await App.EnsembleIdAsync(Ensemble);
        await teacher.OpenAsync($"ensembles/{ensembleId}");
        // Only kulturskolor are offered for the pupils' school.
        var schools = await teacher.GetByLabel("Skola", new() { Exact = true }).Locator("option").AllInnerTextsAsync();
        Assert.Contains(School, schools);
        Assert.DoesNotContain("Mittuniversitetet", schools);
        Assert.DoesNotContain("Gamla Tingshuset", schools);
        var code = await JoiningWithAClassCodeTests.IssueClassCodeAsync(teacher, School);
        var requests = teacher.GetByRole(AriaRole.Heading, new() { Name = "Ansökningar", Level = 2 });
        await requests.ScrollIntoViewIfNeededAsync();
        var waitingBefore = await App.QueryAsync(db => db.JoinRequests.CountAsync(r => r.EnsembleId == ensembleId && r.Status == Web.Features.Ensembles.JoinRequestStatus.Pending));

        var pupil = await NewPageAsync();
        await JoiningWithAClassCodeTests.AskToJoinAsync(pupil, code, "Tuva", "Kontrabas");
        await Expect(pupil.GetByRole(AriaRole.Status)).ToContainTextAsync($"Du blir elev vid {School}.");
        await Screenshots.TakeAsync(pupil, "join-sent-with-school");
        await AssertNoSeriousViolationsAsync(pupil);

        // No reload: the teacher's page was told by the ensemble.
        var request = teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Tuva" });
        await Expect(request).ToContainTextAsync($"Kontrabas · {School}", new() { Timeout = 30_000 });
        await Expect(teacher.GetByTestId("join-request-count")).ToHaveTextAsync((waitingBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var waiting = teacher.GetByTestId("waiting-requests");
        await Expect(waiting).ToContainTextAsync("väntar på ditt svar");
        await Screenshots.TakeAsync(teacher, "ensemble-request-arrived-live", async page =>
        {
            await request.ScrollIntoViewIfNeededAsync();
            await Expect(request).ToBeInViewportAsync();
        });
        // A teacher at the top of the long page is told too, and taken to the requests.
        await Screenshots.TakeAsync(teacher, "ensemble-request-waiting-at-top", async page =>
        {
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await Expect(waiting).ToBeInViewportAsync();
        });
        await waiting.GetByRole(AriaRole.Button, new() { Name = "Visa ansökningarna" }).ClickAsync();
        await Expect(request).ToBeInViewportAsync();
        await AssertNoSeriousViolationsAsync(teacher);

        await teacher.Button($"Återkalla koden {code}").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByRole(AriaRole.Status)).ToContainTextAsync("Koden är återkallad.");
        var listed = teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = code });
        await Expect(listed).ToContainTextAsync("återkallad");
        await Expect(listed).ToContainTextAsync("Ingen har gått med via den här koden än.");
        await Screenshots.TakeAsync(teacher, "ensemble-code-revoked", async _ =>
        {
            await listed.ScrollIntoViewIfNeededAsync();
            await Expect(listed).ToBeInViewportAsync();
        });
        await AssertNoSeriousViolationsAsync(teacher);

        var late = await NewPageAsync("nb-NO");
        await late.OpenAsync("join");
        var send = await late.Button("Søk").WhenInteractiveAsync();
        await late.GetByLabel("Klassekode").FillAsync(code);
        await late.GetByLabel("Navnet ditt slik ensemblet skal se det").FillAsync("Mats");
        await send.ClickAsync();
        await Expect(late.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Læreren din har trukket tilbake klassekoden. Be om en ny.");
        await Expect(late.GetByLabel("Klassekode")).ToHaveAccessibleDescriptionAsync("Læreren din har trukket tilbake klassekoden. Be om en ny.");
        await Screenshots.TakeAsync(late, "join-revoked-code");
        await AssertNoSeriousViolationsAsync(late);
        Assert.Equal(0, await App.QueryAsync(db => db.JoinRequests.CountAsync(r => r.DisplayName == "Mats")));
        // The teacher's page still shows the one request that came in before the code was revoked.
        await Expect(teacher.GetByTestId("join-request-count")).ToHaveTextAsync((waitingBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var violations = await page.SeriousAccessibilityViolationsAsync();
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }
}
