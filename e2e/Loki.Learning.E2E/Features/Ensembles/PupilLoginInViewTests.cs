using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Ensembles;

/// The teacher approves a pupil at the bottom of a long ensemble page and sees the login where they clicked, in a
/// dialog inside the viewport; later they give the pupil a new passphrase, and only the new one works.
public sealed class PupilLoginInViewTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";

    [Fact]
    public async Task TheTeacherApprovesAPupilSeesTheLoginInViewAndLaterIssuesANewPassphrase()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.OpenAsync($"ensembles/{await App.EnsembleIdAsync(Ensemble)}");
        var code = await JoiningWithAClassCodeTests.IssueClassCodeAsync(teacher, "Härnösands kulturskola");

        var pupil = await NewPageAsync();
        await pupil.OpenAsync("join");
        var ask = await pupil.Button("Ansök").WhenInteractiveAsync();
        await pupil.GetByLabel("Klasskod").FillAsync(code);
        await pupil.GetByLabel("Ditt namn som ensemblet ska se det").FillAsync("Vera");
        await ask.ClickAsync();
        await Expect(pupil.Heading("Ansökan skickad", 2)).ToBeVisibleAsync();

        await teacher.ReloadAsync();
        var approve = await teacher.Button("Godkänn Vera").WhenInteractiveAsync();
        await approve.ScrollIntoViewIfNeededAsync();
        await approve.ClickAsync();

        var dialog = teacher.GetByRole(AriaRole.Dialog, new() { Name = "Inloggning för Vera" });
        await Expect(dialog).ToBeVisibleAsync();
        await Screenshots.TakeAsync(teacher, "pupil-login-dialog", async page =>
        {
            await Expect(dialog).ToBeInViewportAsync(new() { Ratio = 1 });
            var box = (await dialog.BoundingBoxAsync())!;
            var viewport = page.ViewportSize!;
            Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= viewport.Width && box.Y + box.Height <= viewport.Height,
                $"The dialog ({box.X}, {box.Y}, {box.Width}×{box.Height}) is outside the {viewport.Width}×{viewport.Height} viewport.");
        });
        var accessibility = await teacher.SeriousAccessibilityViolationsAsync();
        Assert.True(accessibility.Count == 0, string.Join(Environment.NewLine, accessibility));
        var userName = (await dialog.GetByTestId("pupil-username").InnerTextAsync()).Trim();
        var first = (await dialog.GetByTestId("pupil-password").InnerTextAsync()).Trim();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Skriv ut" })).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Jag har skrivit upp inloggningen" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        await teacher.Button("Ny lösenfras för Vera").ClickWhenInteractiveAsync();
        await Expect(dialog).ToBeInViewportAsync(new() { Ratio = 1 });
        var second = (await dialog.GetByTestId("pupil-password").InnerTextAsync()).Trim();
        Assert.NotEqual(first, second);
        await Expect(teacher.GetByRole(AriaRole.Row).Filter(new() { HasText = "Vera" })).ToContainTextAsync("Inte givet");

        await pupil.GotoAsync("account/login");
        await pupil.GetByLabel("E-post eller användarnamn").FillAsync(userName);
        await pupil.GetByLabel("Lösenord").FillAsync(first);
        await pupil.Button("Logga in").ClickAsync();
        await Expect(pupil.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Användarnamnet och lösenordet stämmer inte.");
        await pupil.LogInAsync(userName, second);
        await Expect(pupil.Link("Ensembler")).ToBeVisibleAsync();
    }
}
