using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Ensembles;

public sealed class JoiningWithAClassCodeTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string OtherEnsemble = "Trøndelag–Jämtland jazz band";

    [Fact]
    public async Task APupilJoinsWithAClassCodeIsApprovedAndLogsInWithTheLoginShownOnce()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link(Ensemble).ClickAsync();
        await Expect(teacher.Heading(Ensemble, 1)).ToBeVisibleAsync();
        var code = await IssueClassCodeAsync(teacher, "Härnösands kulturskola");

        var pupil = await NewPageAsync();
        await pupil.OpenAsync("join");
        var ask = await pupil.Button("Ansök").WhenInteractiveAsync();
        await pupil.GetByLabel("Klasskod").FillAsync(code);
        await pupil.GetByLabel("Ditt namn som ensemblet ska se det").FillAsync("Nora");
        await pupil.GetByLabel("Instrument").FillAsync("Viola");
        await pupil.GetByLabel("Min vårdnadshavare godkänner att mitt spel spelas in för lärarens återkoppling").CheckAsync();
        await ask.ClickAsync();
        await Expect(pupil.Heading("Ansökan skickad", 2)).ToBeVisibleAsync();
        await Expect(pupil.GetByRole(AriaRole.Status)).ToContainTextAsync($"Din ansökan till {Ensemble} ligger hos din lärare.");

        await teacher.ReloadAsync();
        await teacher.WaitUntilInteractiveAsync();
        await Expect(teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Nora" }))
            .ToContainTextAsync("Viola · Härnösands kulturskola · vårdnadshavare samtycker till inspelning");
        await teacher.Button("Godkänn Nora").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByRole(AriaRole.Status)).ToHaveTextAsync("Godkänd. Ge inloggningen till eleven.");
        await Expect(teacher.Heading("Inloggning för Nora", 2)).ToBeVisibleAsync();
        var userName = (await teacher.GetByTestId("pupil-username").InnerTextAsync()).Trim();
        var password = (await teacher.GetByTestId("pupil-password").InnerTextAsync()).Trim();
        Assert.False(string.IsNullOrEmpty(userName));
        Assert.True(password.Length >= 10, $"A pupil's passphrase has at least 10 characters, got {password.Length}.");
        await Expect(teacher.GetByRole(AriaRole.Row).Filter(new() { HasText = "Nora" })).ToContainTextAsync("Elev");

        // Shown once: after a reload the login is gone from the teacher's page.
        await teacher.ReloadAsync();
        await Expect(teacher.Heading(Ensemble, 1)).ToBeVisibleAsync();
        await Expect(teacher.GetByTestId("pupil-password")).ToHaveCountAsync(0);

        await pupil.LogInAsync(userName, password);
        await Expect(pupil.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Weekly rehearsal" }).First).ToBeVisibleAsync();
        await pupil.Link("Ensembler").ClickAsync();
        await Expect(pupil.Heading("Ensembler", 1)).ToBeVisibleAsync();
        await Expect(pupil.Link(Ensemble)).ToBeVisibleAsync();
        await Expect(pupil.Link(OtherEnsemble)).ToHaveCountAsync(0);
        await pupil.Link(Ensemble).ClickAsync();
        await Expect(pupil.Heading(Ensemble, 1)).ToBeVisibleAsync();
        await Expect(pupil.Button("Skapa en klasskod")).ToHaveCountAsync(0);

        await pupil.OpenAsync($"ensembles/{await App.EnsembleIdAsync(OtherEnsemble)}");
        await Expect(pupil.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Bara ensemblets medlemmar kan se det.");
        await Expect(pupil.Heading(OtherEnsemble, 1)).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("sv-SE", "Ansök", "Klasskod", "Ditt namn som ensemblet ska se det", "Klasskoden är inte giltig. Kontrollera den med din lärare.")]
    [InlineData("nb-NO", "Søk", "Klassekode", "Navnet ditt slik ensemblet skal se det", "Klassekoden er ikke gyldig. Sjekk den med læreren din.")]
    [InlineData("en-GB", "Ask to join", "Class code", "Your name as the ensemble should see it", "That class code is not valid. Check it with your teacher.")]
    public async Task AWrongClassCodeIsRefusedWithAClearMessageInTheReadersLanguageAndCreatesNothing(
        string locale, string submit, string codeLabel, string nameLabel, string message)
    {
        var requestsBefore = await App.QueryAsync(db => db.JoinRequests.CountAsync());
        var page = await NewPageAsync(locale);
        await page.OpenAsync("join");

        var ask = await page.Button(submit).WhenInteractiveAsync();
        await page.GetByLabel(codeLabel).FillAsync("ZZZZ-9999");
        await page.GetByLabel(nameLabel).FillAsync("Nora");
        await ask.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(message);
        // The message is also tied to the field, so a screen reader reads it with the code box.
        await Expect(page.GetByLabel(codeLabel)).ToHaveAccessibleDescriptionAsync(message);
        await Expect(page.GetByLabel(codeLabel)).ToHaveValueAsync("ZZZZ-9999");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Equal(requestsBefore, await App.QueryAsync(db => db.JoinRequests.CountAsync()));
    }

    [Fact]
    public async Task EachTryOnTheJoinPageCountsAgainstTheBrowsersOwnAddress()
    {
        // The page is a live circuit, not a request per try: it must still know the browser's address.
        var limiter = App.Service<AbuseLimiter>().Limiter;
        var browserAddress = new AbuseKey(AbuseLimit.ClassCode, "127.0.0.1");
        var unknownAddress = new AbuseKey(AbuseLimit.ClassCode, "unknown");
        var before = limiter.GetStatistics(browserAddress)!.CurrentAvailablePermits;
        var unknownBefore = limiter.GetStatistics(unknownAddress)!.CurrentAvailablePermits;
        var page = await NewPageAsync();
        await page.OpenAsync("join");

        var ask = await page.Button("Ansök").WhenInteractiveAsync();
        await page.GetByLabel("Klasskod").FillAsync("ZZZZ-9998");
        await page.GetByLabel("Ditt namn som ensemblet ska se det").FillAsync("Nora");
        await ask.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Klasskoden är inte giltig. Kontrollera den med din lärare.");
        Assert.Equal(before - 1, limiter.GetStatistics(browserAddress)!.CurrentAvailablePermits);
        Assert.Equal(unknownBefore, limiter.GetStatistics(unknownAddress)!.CurrentAvailablePermits);
    }

    /// A pupil (in Swedish) opens the join page and asks to join with <paramref name="code"/>.
    internal static async Task AskToJoinAsync(IPage pupil, string code, string name, string? instrument = null)
    {
        await pupil.OpenAsync("join");
        var ask = await pupil.Button("Ansök").WhenInteractiveAsync();
        await pupil.GetByLabel("Klasskod").FillAsync(code);
        await pupil.GetByLabel("Ditt namn som ensemblet ska se det").FillAsync(name);
        if (instrument is not null)
        {
            await pupil.GetByLabel("Instrument").FillAsync(instrument);
        }
        await ask.ClickAsync();
    }

    /// Issues a class code for <paramref name="school"/> on the open ensemble page and returns the new code as shown.
    internal static async Task<string> IssueClassCodeAsync(IPage teacher, string school)
    {
        var issue = await teacher.Button("Skapa en klasskod").WhenInteractiveAsync();
        var codes = teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "gäller till" }).Locator("code");
        var before = await codes.AllInnerTextsAsync();
        await teacher.GetByLabel("Skola", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = school });
        await issue.ClickAsync();
        await Expect(teacher.GetByRole(AriaRole.Status)).ToHaveTextAsync("En ny klasskod är klar.");
        await Expect(codes).ToHaveCountAsync(before.Count + 1);
        var code = (await codes.AllInnerTextsAsync()).Except(before).Single();
        await Expect(teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = code })).ToContainTextAsync(school);
        return code;
    }
}
