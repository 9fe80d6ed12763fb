using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Hosting;

/// People in live rooms, each in a Chromium of their own whose fake microphone plays a tone from a generated WAV file
/// (the file is a per-process switch, hence one browser process per person).
public sealed class ToneBrowsers : IAsyncDisposable
{
    /// An upper bound on patience for audio to arrive (two shared cores), not a timing target.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-tones-").FullName;
    private readonly List<IBrowser> _browsers = [];
    private readonly IPlaywright _playwright;

    private ToneBrowsers(IPlaywright playwright) => _playwright = playwright;

    public static async Task<ToneBrowsers> StartAsync() => new(await Playwright.CreateAsync());

    /// A Chromium of its own whose fake microphone plays <paramref name="frequency"/> (looped), signed in unless no login is given.
    /// <param name="chromiumArgs">More switches for this Chromium (a host name mapped to loopback, a trusted test certificate).</param>
    /// <param name="grantOnly">When given, no fake permission prompt answers yes to everything: the browser may use these
    /// devices only ("microphone"), and asking for another (the camera) is refused as a person's "Block" would.</param>
    public Task<IPage> PersonWithToneAsync(Uri baseAddress, double frequency, string? login, string? password, IReadOnlyList<string>? chromiumArgs = null,
        IReadOnlyList<string>? grantOnly = null)
    {
        var wav = Path.Combine(_folder, $"tone-{frequency:0}.wav");
        WriteWav(wav, 48000 * 4, i => 0.5 * Math.Sin(2 * Math.PI * frequency * i / 48000));
        return PersonWithMicrophoneAsync(baseAddress, wav, login, password, chromiumArgs, grantOnly);
    }

    /// A Chromium whose fake microphone plays a 2 ms burst of 2 kHz at 0.9 every half second (or every
    /// <paramref name="everyFrames"/> frames at 48 kHz), silence between: easy to find going in and coming back.
    public Task<IPage> PersonWithPulsesAsync(Uri baseAddress, string login, string password, IReadOnlyList<string>? chromiumArgs = null, int everyFrames = 24000)
    {
        var wav = Path.Combine(_folder, $"pulses-{everyFrames}.wav");
        WriteWav(wav, 48000 * 4, i => i % everyFrames < 96 ? 0.9 * Math.Sin(2 * Math.PI * 2000 * (i % everyFrames) / 48000) : 0);
        return PersonWithMicrophoneAsync(baseAddress, wav, login, password, chromiumArgs);
    }

    /// A Chromium of its own whose fake microphone plays <paramref name="wav"/> (looped), signed in unless no login is given.
    private async Task<IPage> PersonWithMicrophoneAsync(Uri baseAddress, string wav, string? login, string? password, IReadOnlyList<string>? chromiumArgs = null,
        IReadOnlyList<string>? grantOnly = null)
    {
        var chromium = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = [.. BrowserFixture.ChromiumArgs.Where(a => grantOnly is null || a != "--use-fake-ui-for-media-stream"),
                "--use-file-for-fake-audio-capture=" + wav, "--autoplay-policy=no-user-gesture-required", .. chromiumArgs ?? []],
        });
        _browsers.Add(chromium);
        var context = await chromium.NewContextAsync(new()
        {
            BaseURL = baseAddress.ToString(),
            Locale = "sv-SE",
            TimezoneId = "Europe/Stockholm",
        });
        context.SetDefaultTimeout(30_000);
        if (grantOnly is not null)
        {
            await context.GrantPermissionsAsync(grantOnly, new() { Origin = baseAddress.GetLeftPart(UriPartial.Authority) });
        }
        await context.AddInitScriptAsync(PageActions.InteractivityProbe);
        var page = await context.NewPageAsync();
        if (login is not null)
        {
            await page.LogInAsync(login, password!);
        }
        return page;
    }

    /// Opens an open room and enters it, up to the sound check. A host who opened the room is in it already: the
    /// control bar's audio button brings the sound check back.
    public static async Task EnterRoomAsync(IPage page, string roomPath)
    {
        await page.OpenAsync(roomPath);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rummet är öppet." })).ToBeVisibleAsync();
        var enter = page.Button("Gå med");
        await (await enter.CountAsync() > 0 ? enter : page.Button("Ljud")).ClickWhenInteractiveAsync();
        await Expect(page.Heading("Anslut ljud", 2)).ToBeVisibleAsync();
    }

    /// Checks the (fake) microphone's level, then connects the room's audio.
    public static async Task ConnectAudioAsync(IPage page, TimeSpan? patience = null)
    {
        // The microphone list is filled once the browser has granted access (the fake UI grants it).
        await Expect(page.GetByLabel("Mikrofon").Locator("option")).Not.ToHaveCountAsync(0);
        // The level check before connecting: the meter follows the (fake) microphone.
        await page.Button("Testa mikrofonen").ClickWhenInteractiveAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('audio-meter').value > 0.1", null, new() { Timeout = (float)(patience ?? Patience).TotalMilliseconds });
        await page.Button("Anslut ljud").ClickWhenInteractiveAsync();
        await Expect(page.GetByText("Ditt ljud är anslutet.")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    /// Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <see cref="Patience"/>.
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Not within {Patience.TotalSeconds} s: {await what()}");
            }
            await Task.Delay(250);
        }
    }

    /// 48 kHz, 16-bit mono PCM; tones are a whole number of periods so the loop has no click.
    private static void WriteWav(string path, int samples, Func<int, double> sample)
    {
        const int rate = 48000;
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
            writer.Write((short)Math.Round(32767 * sample(i)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var browser in _browsers)
        {
            await browser.CloseAsync();
        }
        _playwright.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// A browser test whose people each play a tone into their own Chromium (<see cref="ToneBrowsers"/>).
public abstract class ToneBrowserTest(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IAsyncLifetime
{
    private ToneBrowsers? _tones;

    async Task IAsyncLifetime.InitializeAsync()
    {
        _tones = await ToneBrowsers.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_tones is not null)
        {
            await _tones.DisposeAsync();
        }
    }

    protected Task<IPage> PersonWithToneAsync(double frequency, string? login, string? password) => _tones!.PersonWithToneAsync(App.BaseAddress, frequency, login, password);

    protected Task<IPage> PersonWithPulsesAsync(string login, string password) => _tones!.PersonWithPulsesAsync(App.BaseAddress, login, password);
}
