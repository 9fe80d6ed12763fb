using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// The room page says why audio cannot work before anyone presses anything, each cause in its own words: an insecure
/// address (http://school.test, a LAN name without HTTPS), a browser without AudioWorklet, a microphone the browser blocks.
public sealed class AudioReadinessTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string Insecure = "Ljudet kan inte starta på den här adressen: webbläsare tillåter mikrofonen bara på webbplatsens säkra adress (https://) eller på datorn som kör webbplatsen.";

    /// The ensemble's first rehearsal room, as its teacher reaches it.
    private static async Task GoToRoomAsync(IPage page)
    {
        await page.Link("Ensembler").ClickAsync();
        await page.Link(Ensemble).ClickAsync();
        await Expect(page.Heading(Ensemble, 1)).ToBeVisibleAsync();
        await page.Link("Live-rum").First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Rummet är") })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AtAnInsecureLanAddressTheRoomSaysAudioNeedsTheSecureAddressBeforeAnyClick()
    {
        await using var tones = await ToneBrowsers.StartAsync();
        var school = new Uri($"http://school.test:{App.BaseAddress.Port}/");
        var teacher = await tones.PersonWithToneAsync(school, 440, DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher),
            ["--host-resolver-rules=MAP school.test 127.0.0.1"]);
        Assert.False(await teacher.EvaluateAsync<bool>("() => window.isSecureContext"));

        await GoToRoomAsync(teacher);

        var notice = teacher.Locator(".audio-readiness");
        await Expect(notice).ToContainTextAsync(Insecure);
        // This site has no https:// address configured: say whom to ask.
        await Expect(notice).ToContainTextAsync("Be den som driver webbplatsen om dess https://-adress.");
        await Expect(notice).ToHaveAttributeAsync("role", "alert");

        // Joining anyway: the audio panel gives the same reason, not a script error.
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        await Expect(teacher.Heading("Anslut ljud", 2)).ToBeVisibleAsync();
        await Expect(teacher.Locator(".room > p.problem[role=alert]")).ToHaveTextAsync("Ljudet kunde inte starta: " + Insecure);
        await teacher.Button("Testa mikrofonen").ClickWhenInteractiveAsync();
        await Expect(teacher.Locator(".room > p.problem[role=alert]")).ToHaveTextAsync("Ljudet kunde inte starta: " + Insecure);
    }

    [Fact]
    public async Task ABrowserWithoutAudioWorkletIsToldSoInItsReadersLanguage()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        // An older browser: no AudioWorklet at all.
        await teacher.Context.AddInitScriptAsync("delete window.AudioWorkletNode; delete BaseAudioContext.prototype.audioWorklet;");
        await teacher.ReloadAsync();
        await teacher.WaitUntilInteractiveAsync();

        await GoToRoomAsync(teacher);

        await Expect(teacher.Locator(".audio-readiness")).ToHaveTextAsync(
            "Den här webbläsaren kan inte bearbeta ljud i realtid (AudioWorklet saknas). Använd en aktuell Chrome, Edge, Firefox eller Safari; du kan ändå följa rummet och ansluta med JackTrip.");
    }

    [Fact]
    public async Task AMicrophoneTheBrowserBlocksIsNamedAsTheReasonAndTheMessageGoesWhenItIsAllowed()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        // The site's microphone setting in this person's browser profile, as the reader would set it in the address bar.
        var pageSession = await teacher.Context.NewCDPSessionAsync(teacher);
        var target = await pageSession.SendAsync("Target.getTargetInfo");
        var contextId = target!.Value.GetProperty("targetInfo").GetProperty("browserContextId").GetString()!;
        var browserSession = await teacher.Context.Browser!.NewBrowserCDPSessionAsync();
        async Task SetMicrophoneAsync(string setting) => await browserSession.SendAsync("Browser.setPermission", new Dictionary<string, object>
        {
            ["permission"] = new Dictionary<string, object> { ["name"] = "microphone" },
            ["setting"] = setting,
            ["origin"] = App.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["browserContextId"] = contextId,
        });
        await SetMicrophoneAsync("denied");

        await GoToRoomAsync(teacher);

        var notice = teacher.Locator(".audio-readiness");
        await Expect(notice).ToHaveTextAsync("Webbläsaren blockerar mikrofonen för den här webbplatsen. Tillåt mikrofonen för webbplatsen (ikonen till vänster i adressfältet) och ladda sedan om sidan.");

        await SetMicrophoneAsync("granted");
        await Expect(notice).ToHaveCountAsync(0);
    }
}
