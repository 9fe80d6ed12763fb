using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// A teacher and a pupil see each other in a live room, each in a Chromium of its own whose fake camera shows a solid
/// colour from a generated Y4M file; the pictures go through the node's own Janus (ICE on loopback only).
public sealed class SeeingEachOtherTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>, IAsyncLifetime
{
    private const string PupilName = "Elsa (Härnösand)";

    /// Colours far apart in every channel, as RGB.
    private static readonly (byte R, byte G, byte B) TeacherColour = (220, 40, 40);
    private static readonly (byte R, byte G, byte B) PupilColour = (40, 60, 220);

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-cameras-").FullName;
    private ToneBrowsers? _people;

    Task IAsyncLifetime.InitializeAsync() => Task.Run(async () => _people = await ToneBrowsers.StartAsync());

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_people is not null)
        {
            await _people.DisposeAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }

    /// A Chromium whose camera shows one colour and whose microphone plays a tone; WebRTC may use loopback.
    private Task<IPage> PersonWithCameraAsync(string name, (byte R, byte G, byte B) colour, double tone, string login) =>
        _people!.PersonWithToneAsync(App.BaseAddress, tone, login, DemoAccounts.PasswordOf(login),
            ["--use-file-for-fake-video-capture=" + WriteY4m(name, colour), "--allow-loopback-in-peer-connection"]);

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

    private sealed record Tile(string PersonId, string Kind, long FramesDecoded, int Width, int Height);

    private static async Task<List<Tile>> TilesAsync(IPage page) =>
        JsonSerializer.Deserialize<List<Tile>>(await page.EvaluateAsync<string>("() => JSON.stringify(window.loki?.video?.tiles() ?? [])"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    /// The average colour of what a tile shows now (drawn into a canvas).
    private static async Task<int[]> ColourAsync(IPage page, string personId, string kind) =>
        await page.EvaluateAsync<int[]>("""
            ([personId, kind]) => {
                const video = document.querySelector(`video[data-person="${personId}"][data-kind="${kind}"]`);
                const canvas = document.createElement('canvas');
                canvas.width = 32; canvas.height = 24;
                const context = canvas.getContext('2d');
                context.drawImage(video, 0, 0, 32, 24);
                const pixels = context.getImageData(0, 0, 32, 24).data;
                const sum = [0, 0, 0];
                for (let i = 0; i < pixels.length; i += 4) { sum[0] += pixels[i]; sum[1] += pixels[i + 1]; sum[2] += pixels[i + 2]; }
                return sum.map(s => Math.round(s / (pixels.length / 4)));
            }
            """, new[] { personId, kind });

    /// Waits until a page shows <paramref name="personId"/>'s picture of <paramref name="kind"/> with decoded frames growing.
    private static async Task<Tile> SeesAsync(IPage page, string personId, string kind, string what)
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

    private static Task GoneAsync(IPage page, string personId, string kind, string what) =>
        ToneBrowsers.WaitUntilAsync(async () => (await TilesAsync(page)).All(t => t.PersonId != personId || t.Kind != kind),
            async () => $"{what}; tiles {JsonSerializer.Serialize(await TilesAsync(page))}");

    private static void AssertColour((byte R, byte G, byte B) expected, int[] seen, string what) =>
        Assert.True(Math.Abs(seen[0] - expected.R) < 40 && Math.Abs(seen[1] - expected.G) < 40 && Math.Abs(seen[2] - expected.B) < 40,
            $"{what}: expected about ({expected.R}, {expected.G}, {expected.B}), saw ({string.Join(", ", seen)})");

    private async Task ScreenshotsAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        foreach (var (width, height) in new[] { (1366, 768), (390, 844) })
        {
            await page.SetViewportSizeAsync(width, height);
            var file = Path.Combine(folder, $"{name}-{width}x{height}.png");
            await page.ScreenshotAsync(new() { Path = file, FullPage = true });
            Console.WriteLine($"SCREENSHOT {file}");
        }
        await page.SetViewportSizeAsync(1366, 768);
    }

    [Fact]
    public async Task TeacherAndPupilSeeEachOtherTheTeacherStopsThePupilsCameraAndRemovesThePupil()
    {
        var pupilId = await App.QueryAsync(db => db.Users.Where(u => u.Email == DemoAccounts.Pupil).Select(u => u.Id).SingleAsync());
        var teacherId = await App.QueryAsync(db => db.Users.Where(u => u.Email == DemoAccounts.EnsembleTeacher).Select(u => u.Id).SingleAsync());
        // The pupil's guardian has consented to video.
        await App.QueryAsync(db => db.Users.Where(u => u.Id == pupilId).ExecuteUpdateAsync(u => u.SetProperty(p => p.VideoConsent, true)));

        var teacher = await PersonWithCameraAsync("teacher", TeacherColour, 440, DemoAccounts.EnsembleTeacher);
        await teacher.Link("Ensembler").ClickAsync();
        await teacher.Link("Mittnorden string orchestra").ClickAsync();
        await teacher.Link("Live-rum").First.ClickAsync();
        await teacher.Button("Öppna rummet").ClickWhenInteractiveAsync();
        var roomPath = new Uri(teacher.Url).AbsolutePath.TrimStart('/');
        await ToneBrowsers.EnterRoomAsync(teacher, roomPath);
        var pupil = await PersonWithCameraAsync("pupil", PupilColour, 660, DemoAccounts.Pupil);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);

        // Everyone's camera is off until they turn it on.
        await Expect(teacher.GetByText("Ingen kamera är på än.")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await teacher.Button("Starta kameran").ClickWhenInteractiveAsync();
        await pupil.Button("Starta kameran").ClickWhenInteractiveAsync();

        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera");
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's camera");
        AssertColour(PupilColour, await ColourAsync(teacher, pupilId, "camera"), "the pupil's tile on the teacher's page");
        AssertColour(TeacherColour, await ColourAsync(pupil, teacherId, "camera"), "the teacher's tile on the pupil's page");
        await Expect(teacher.GetByRole(AriaRole.Figure).Filter(new() { HasText = PupilName })).ToContainTextAsync("Medverkande");
        await ScreenshotsAsync(teacher, "room-with-video-teacher");
        // The video stage's own part (the roster's mute buttons, outside it, are the room page's: reported separately).
        var violations = await teacher.SeriousAccessibilityViolationsAsync(".video-stage");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));

        // The host stops the pupil's camera: it disappears for everyone, the pupil's own preview included.
        await teacher.Button($"Stoppa kameran för {PupilName}").ClickWhenInteractiveAsync();
        await GoneAsync(teacher, pupilId, "camera", "the pupil's camera is gone from the teacher's page");
        await GoneAsync(pupil, pupilId, "camera", "the pupil's own preview ends");
        // The pupil still sees the teacher.
        await SeesAsync(pupil, teacherId, "camera", "the pupil still sees the teacher after their camera was stopped");

        // The pupil turns the camera on again; removed from the room, their video ends for everyone.
        await pupil.Button("Starta kameran").ClickWhenInteractiveAsync();
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera again");
        await teacher.Button($"Ta bort {PupilName} från rummet").ClickWhenInteractiveAsync();
        await GoneAsync(teacher, pupilId, "camera", "a removed pupil's camera is gone from the teacher's page");
    }
}
