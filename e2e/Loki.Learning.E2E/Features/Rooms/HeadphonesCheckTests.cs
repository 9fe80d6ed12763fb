using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// The headphones check's positive path: someone on loudspeakers is told to use headphones. Chromium's fake devices
/// cannot produce it on their own: the fake microphone (--use-file-for-fake-audio-capture or the built-in beep) is a
/// fixed signal that starts with the capture and never hears what the page plays, and the fake output goes nowhere,
/// so nothing the check plays can come back. This test gives the page loudspeakers a microphone can hear: everything
/// the page sends to its speakers (AudioContext.destination) is also what getUserMedia returns, as in a room where the
/// laptop's speakers are next to its microphone. The check itself runs unchanged.
public sealed class HeadphonesCheckTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";

    /// The acoustic path from the speakers to the microphone, installed before the page's scripts run.
    private const string SpeakersHeardByTheMicrophone = """
        (() => {
          const speakers = new WeakMap();
          const heard = (context) => {
            if (!speakers.has(context)) {
              speakers.set(context, context.createMediaStreamDestination());
            }
            return speakers.get(context);
          };
          let latest = null;
          const NativeAudioContext = window.AudioContext;
          window.AudioContext = class extends NativeAudioContext {
            constructor(...args) {
              super(...args);
              latest = this;
            }
          };
          const connect = AudioNode.prototype.connect;
          AudioNode.prototype.connect = function (target, ...rest) {
            const result = connect.call(this, target, ...rest);
            if (target instanceof AudioDestinationNode) {
              connect.call(this, heard(this.context));
            }
            return result;
          };
          const getUserMedia = MediaDevices.prototype.getUserMedia;
          MediaDevices.prototype.getUserMedia = function (constraints) {
            return latest && constraints && constraints.audio ? Promise.resolve(heard(latest).stream) : getUserMedia.call(this, constraints);
          };
        })();
        """;

    [Fact]
    public async Task SomeoneOnLoudspeakersIsToldToUseHeadphones()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.Context.AddInitScriptAsync(SpeakersHeardByTheMicrophone);
        await teacher.OpenAsync($"ensembles/{await App.EnsembleIdAsync(Ensemble)}");
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();

        var soundCheck = teacher.GetByRole(AriaRole.Dialog, new() { Name = "Anslut ljud" });
        await Expect(soundCheck).ToBeVisibleAsync();
        await soundCheck.GetByRole(AriaRole.Button, new() { Name = "Testa mikrofonen" }).ClickWhenInteractiveAsync();
        var check = soundCheck.GetByRole(AriaRole.Button, new() { Name = "Kontrollera mina hörlurar" });
        await Expect(check).ToBeEnabledAsync();
        await check.ClickAsync();

        var verdict = soundCheck.GetByRole(AriaRole.Status);
        await Expect(verdict).ToHaveTextAsync("Din mikrofon hör dina högtalare: använd hörlurar, annars hör alla i rummet sig själva genom dig.", new() { Timeout = 30_000 });
        await Expect(verdict).ToHaveClassAsync("problem");
        await Screenshots.TakeAsync(teacher, "room-headphones-warning", page => Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Anslut ljud" }).GetByRole(AriaRole.Status)).ToBeVisibleAsync());
        Assert.Empty(await teacher.SeriousAccessibilityViolationsAsync());
    }
}
