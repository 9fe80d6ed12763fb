using System.Diagnostics;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Hosting;

/// Chromium processes whose fake microphone plays a tone from a generated WAV file (the file is a per-process
/// switch, so each tone needs its own browser), and the room steps that people with microphones take.
public sealed class ToneBrowsers(LokiApp app) : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-tones-").FullName;
    private readonly List<IBrowser> _browsers = [];
    private IPlaywright? _playwright;

    /// A page in a Chromium of its own whose fake microphone plays <paramref name="frequency"/> (looped); signed in
    /// as <paramref name="login"/> unless that is null.
    public async Task<IPage> PersonWithToneAsync(double frequency, string? login, string? password)
    {
        _playwright ??= await Playwright.CreateAsync();
        var wav = Path.Combine(_folder, $"tone-{frequency:0}.wav");
        WriteTone(wav, frequency, seconds: 4);
        var chromium = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = [.. BrowserFixture.Arguments, "--use-file-for-fake-audio-capture=" + wav, "--autoplay-policy=no-user-gesture-required"],
        });
        _browsers.Add(chromium);
        var context = await chromium.NewContextAsync(new()
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = "sv-SE",
            TimezoneId = "Europe/Stockholm",
        });
        context.SetDefaultTimeout(30_000);
        await context.AddInitScriptAsync(PageActions.InteractivityProbe);
        var page = await context.NewPageAsync();
        if (login is not null)
        {
            await page.LogInAsync(login, password!);
        }
        return page;
    }

    /// 48 kHz, 16-bit mono PCM, a whole number of periods so the loop has no click.
    private static void WriteTone(string path, double frequency, int seconds)
    {
        const int rate = 48000;
        var samples = rate * seconds;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + (samples * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            writer.Write((short)Math.Round(0.5 * 32767 * Math.Sin(2 * Math.PI * frequency * i / rate)));
        }
    }

    public static async Task EnterRoomAsync(IPage page, string roomPath)
    {
        await page.OpenAsync(roomPath);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rummet är öppet." })).ToBeVisibleAsync();
        await page.Button("Gå med").ClickWhenInteractiveAsync();
        await Expect(page.Heading("Anslut ljud", 2)).ToBeVisibleAsync();
    }

    public static async Task ConnectAudioAsync(IPage page)
    {
        // The microphone list is filled once the browser has granted access (the fake UI grants it).
        await Expect(page.GetByLabel("Mikrofon").Locator("option")).Not.ToHaveCountAsync(0);
        // The level check before connecting: the meter follows the (fake) microphone.
        await page.Button("Testa mikrofonen").ClickWhenInteractiveAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('audio-meter').value > 0.1", null, new() { Timeout = (float)Patience.TotalMilliseconds });
        await page.Button("Anslut ljud").ClickWhenInteractiveAsync();
        await Expect(page.GetByText("Ditt ljud är anslutet.")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    /// Polls a page's diagnostics; only an upper bound on patience (two shared cores).
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Not within {Patience.TotalSeconds} s: {await what()}");
            }
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var b in _browsers)
        {
            await b.CloseAsync();
        }
        _playwright?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// A browser test whose people may each have a Chromium with a tone for a microphone (<see cref="Tones"/>).
public abstract class ToneBrowserTest(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IAsyncLifetime
{
    private ToneBrowsers? _tones;

    protected ToneBrowsers Tones => _tones ??= new ToneBrowsers(App);

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_tones is not null)
        {
            await _tones.DisposeAsync();
        }
    }
}
