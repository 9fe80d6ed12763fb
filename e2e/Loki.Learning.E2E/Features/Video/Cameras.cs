using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// People in a live room with cameras: each in a Chromium of their own whose fake camera shows a solid colour from a
/// generated Y4M file, WebRTC allowed on loopback; and what their pages show, read through <c>window.loki.video.tiles()</c>.
public sealed class Cameras : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-cameras-").FullName;
    private readonly ToneBrowsers _people;

    private Cameras(ToneBrowsers people) => _people = people;

    public static async Task<Cameras> StartAsync() => new(await ToneBrowsers.StartAsync());

    /// Colours far apart in every channel, as RGB.
    public static readonly (byte R, byte G, byte B) Red = (220, 40, 40);

    public static readonly (byte R, byte G, byte B) Blue = (40, 60, 220);

    /// A Chromium whose camera shows one colour and whose microphone plays a tone; WebRTC may use loopback.
    /// <param name="grantOnly">The only devices the browser may use (see <see cref="ToneBrowsers.PersonWithToneAsync"/>).</param>
    public async Task<IPage> PersonAsync(Uri site, string name, (byte R, byte G, byte B) colour, double tone, string login, IReadOnlyList<string>? grantOnly = null) =>
        Told(name, await _people.PersonWithToneAsync(site, tone, login, DemoAccounts.PasswordOf(login),
            ["--use-file-for-fake-video-capture=" + WriteY4m(name, colour), "--allow-loopback-in-peer-connection"], grantOnly));

    /// A Chromium whose camera shows one colour and whose microphone plays a short pulse once a second
    /// (<see cref="ToneBrowsers.PersonWithPulsesAsync"/>); WebRTC may use loopback.
    public async Task<IPage> PersonWithPulsesAsync(Uri site, string name, (byte R, byte G, byte B) colour, string login) =>
        Told(name, await _people.PersonWithPulsesAsync(site, login, DemoAccounts.PasswordOf(login),
            ["--use-file-for-fake-video-capture=" + WriteY4m(name, colour), "--allow-loopback-in-peer-connection"], everyFrames: 48000));

    /// The page's errors go to the test's output, named by person: what the browser said when a picture does not come.
    private static IPage Told(string name, IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Console.WriteLine($"[{name}] {message.Type}: {message.Text}");
            }
        };
        return page;
    }

    /// A Chromium with a (fake) microphone that plays a tone and no camera at all.
    public async Task<IPage> PersonWithoutCameraAsync(Uri site, double tone, string login) =>
        Told("no camera", await _people.PersonWithToneAsync(site, tone, login, DemoAccounts.PasswordOf(login),
            ["--use-fake-device-for-media-stream=device-count=0", "--allow-loopback-in-peer-connection"]));

    /// 320×240, 15 frames/s, 2 s of one colour (Chromium loops the file). BT.601 limited-range YCbCr 4:2:0.
    private string WriteY4m(string name, (byte R, byte G, byte B) colour)
    {
        const int width = 320, height = 240;
        var path = Path.Combine(_folder, name + ".y4m");
        var (r, g, b) = (colour.R, colour.G, colour.B);
        var y = (byte)Math.Clamp(Math.Round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255), 16, 235);
        var cb = (byte)Math.Clamp(Math.Round(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255), 16, 240);
        var cr = (byte)Math.Clamp(Math.Round(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255), 16, 240);
        using var file = File.Create(path);
        file.Write(System.Text.Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n"));
        var luma = Enumerable.Repeat(y, width * height).ToArray();
        var blue = Enumerable.Repeat(cb, width * height / 4).ToArray();
        var red = Enumerable.Repeat(cr, width * height / 4).ToArray();
        for (var frame = 0; frame < 30; frame++)
        {
            file.Write("FRAME\n"u8);
            file.Write(luma);
            file.Write(blue);
            file.Write(red);
        }
        return path;
    }

    public sealed record Tile(string PersonId, string Kind, bool Self, long FramesDecoded, int Width, int Height);

    public static async Task<List<Tile>> TilesAsync(IPage page) =>
        JsonSerializer.Deserialize<List<Tile>>(await page.EvaluateAsync<string>("() => JSON.stringify(window.loki?.video?.tiles() ?? [])"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    /// The average colour of what a tile shows now (drawn into a canvas).
    public static Task<int[]> ColourAsync(IPage page, string personId, string kind) =>
        AverageColourAsync(page, $"video[data-person=\"{personId}\"][data-kind=\"{kind}\"]");

    /// The average colour of what the video element <paramref name="selector"/> shows now (drawn into a canvas).
    public static async Task<int[]> AverageColourAsync(IPage page, string selector) =>
        await page.EvaluateAsync<int[]>("""
            selector => {
                const video = document.querySelector(selector);
                const canvas = document.createElement('canvas');
                canvas.width = 32; canvas.height = 24;
                const context = canvas.getContext('2d');
                context.drawImage(video, 0, 0, 32, 24);
                const pixels = context.getImageData(0, 0, 32, 24).data;
                const sum = [0, 0, 0];
                for (let i = 0; i < pixels.length; i += 4) { sum[0] += pixels[i]; sum[1] += pixels[i + 1]; sum[2] += pixels[i + 2]; }
                return sum.map(s => Math.round(s / (pixels.length / 4)));
            }
            """, selector);

    /// Waits until a page shows <paramref name="personId"/>'s picture of <paramref name="kind"/> with decoded frames growing.
    public static async Task<Tile> SeesAsync(IPage page, string personId, string kind, string what)
    {
        Tile? first = null;
        await ToneBrowsers.WaitUntilAsync(async () =>
        {
            var tile = (await TilesAsync(page)).FirstOrDefault(t => t.PersonId == personId && t.Kind == kind && t.Width > 0);
            if (tile is null || tile.FramesDecoded == 0)
            {
                return false;
            }
            first ??= tile;
            return tile.FramesDecoded > first.FramesDecoded + 10;
        }, async () => $"{what}; tiles {JsonSerializer.Serialize(await TilesAsync(page))}");
        return (await TilesAsync(page)).First(t => t.PersonId == personId && t.Kind == kind);
    }

    public sealed record Connection(string Name, string State, string? Local, string? Remote);

    /// Each of a page's peer connections with the addresses of its selected ICE candidate pair.
    public static async Task<List<Connection>> ConnectionsAsync(IPage page) =>
        JsonSerializer.Deserialize<List<Connection>>(
            await page.EvaluateAsync<string>("async () => JSON.stringify(await (window.loki?.video?.connections() ?? []))"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    /// Waits until every peer connection of the page (at least <paramref name="atLeast"/>) has chosen its candidate pair,
    /// then asserts that both ends are in 127.0.0.0/8: the picture never travels over the machine's other addresses.
    public static async Task AssertLoopbackOnlyAsync(IPage page, int atLeast, string who)
    {
        List<Connection> connections = [];
        await ToneBrowsers.WaitUntilAsync(async () =>
        {
            connections = await ConnectionsAsync(page);
            return connections.Count >= atLeast && connections.All(c => c.Local is not null && c.Remote is not null);
        }, async () => $"{who}: every peer connection has a selected candidate pair; {JsonSerializer.Serialize(await ConnectionsAsync(page))}");
        Console.WriteLine($"ICE PAIRS {who}: {string.Join(", ", connections.Select(c => $"{c.Name} {c.Local} ↔ {c.Remote}"))}");
        foreach (var connection in connections)
        {
            Assert.True(OnLoopback(connection.Local) && OnLoopback(connection.Remote),
                $"{who}'s {connection.Name} connection runs between {connection.Local} and {connection.Remote}, not both on 127.0.0.0/8");
        }
    }

    private static bool OnLoopback(string? endpoint) =>
        endpoint is not null && System.Net.IPAddress.TryParse(endpoint[..endpoint.LastIndexOf(':')].Trim('[', ']'), out var address)
        && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 127;

    /// Waits until a page has no tile of <paramref name="personId"/>'s <paramref name="kind"/>.
    public static Task GoneAsync(IPage page, string personId, string kind, string what) =>
        ToneBrowsers.WaitUntilAsync(async () => (await TilesAsync(page)).All(t => t.PersonId != personId || t.Kind != kind),
            async () => $"{what}; tiles {JsonSerializer.Serialize(await TilesAsync(page))}");

    /// Waits until a page shows no picture of <paramref name="personId"/>'s <paramref name="kind"/> (a dark tile or none).
    public static Task DarkAsync(IPage page, string personId, string kind, string what) =>
        ToneBrowsers.WaitUntilAsync(async () => (await TilesAsync(page)).All(t => t.PersonId != personId || t.Kind != kind || t.Width == 0),
            async () => $"{what}; tiles {JsonSerializer.Serialize(await TilesAsync(page))}");

    /// Waits until a page's tile of <paramref name="personId"/>'s <paramref name="kind"/> shows about <paramref name="expected"/>.
    /// A picture that has just come back (a new subscription, a restarted relay) may be drawn from a frame before its
    /// first key frame for a moment; one that stays wrong fails with the last colour seen.
    public static async Task ShowsColourAsync(IPage page, string personId, string kind, (byte R, byte G, byte B) expected, string what)
    {
        int[] seen = [];
        await ToneBrowsers.WaitUntilAsync(async () =>
        {
            seen = await ColourAsync(page, personId, kind);
            return IsAbout(expected, seen);
        }, async () => $"{what}: expected about ({expected.R}, {expected.G}, {expected.B}), last saw ({string.Join(", ", seen)}); tiles {JsonSerializer.Serialize(await TilesAsync(page))}");
    }

    private static bool IsAbout((byte R, byte G, byte B) expected, int[] seen) =>
        Math.Abs(seen[0] - expected.R) < 40 && Math.Abs(seen[1] - expected.G) < 40 && Math.Abs(seen[2] - expected.B) < 40;

    public static void AssertColour((byte R, byte G, byte B) expected, int[] seen, string what) =>
        Assert.True(IsAbout(expected, seen),
            $"{what}: expected about ({expected.R}, {expected.G}, {expected.B}), saw ({string.Join(", ", seen)})");

    /// Opens the demo ensemble's room as its teacher and enters it; returns the room's path.
    public static async Task<string> OpenEnsembleRoomAsync(IPage teacher)
    {
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link("Mittnorden string orchestra").ClickAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        // An earlier test on the same site may have opened it already.
        var open = teacher.Button("Öppna rummet");
        await Expect(open.Or(teacher.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rummet är öppet." }))).ToBeVisibleAsync();
        if (await open.IsVisibleAsync())
        {
            await open.ClickWhenInteractiveAsync();
        }
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await ToneBrowsers.EnterRoomAsync(teacher, roomPath);
        return roomPath;
    }

    /// Waits until the video stage is connected (its camera button is enabled) and starts the camera. On a loaded
    /// machine the stage may reconnect (and redraw its button) between the wait and the click: then it waits again.
    public static async Task StartCameraAsync(IPage page)
    {
        var start = page.Button("Starta kameran");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await Expect(start).ToBeEnabledAsync(new() { Timeout = 60_000 });
                await (await start.WhenInteractiveAsync()).ClickAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (Exception exception) when (exception is TimeoutException or PlaywrightException && clock.Elapsed < ToneBrowsers.Patience)
            {
                Console.WriteLine($"Starting the camera again after: {exception.Message.Split('\n')[0]}; the stage says: "
                    + await page.Locator(".video-stage").InnerTextAsync(new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no stage)", TaskScheduler.Default));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _people.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// A browser test whose people each have a Chromium and a camera of their own (<see cref="Cameras"/>).
public abstract class CameraTest(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IAsyncLifetime
{
    private Cameras? _people;

    protected Cameras People => _people!;

    Task IAsyncLifetime.InitializeAsync() => Task.Run(async () => _people = await Cameras.StartAsync());

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_people is not null)
        {
            await _people.DisposeAsync();
        }
    }

    protected Task<string> IdOfAsync(string email) => App.QueryAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    /// The pupil's guardian has consented to video.
    protected async Task<string> PupilWithVideoConsentAsync()
    {
        var pupilId = await IdOfAsync(DemoAccounts.Pupil);
        await App.QueryAsync(db => db.Users.Where(u => u.Id == pupilId).ExecuteUpdateAsync(u => u.SetProperty(p => p.VideoConsent, true)));
        return pupilId;
    }
}
