using Microsoft.Playwright;

namespace Loki.Learning.E2E.Hosting;

/// Screenshots a test run keeps for people to look at (and for the README): in the folder named by LOKI_SCREENSHOTS,
/// else "screenshots" beside the test assembly; journeys shoot each state at a laptop's 1366×768 and a phone's 390×844.
public static class Screenshots
{
    public static readonly IReadOnlyList<(int Width, int Height)> Sizes = [(1366, 768), (390, 844)];

    public static string Folder { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("LOKI_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    /// The viewport as the person sees it, named "<paramref name="name"/>-WIDTHxHEIGHT.png".
    public static async Task<string> SaveAsync(this IPage page, string name)
    {
        var size = page.ViewportSize!;
        var path = Path.Combine(Folder, $"{name}-{size.Width}x{size.Height}.png");
        await page.ScreenshotAsync(new() { Path = path });
        return path;
    }

    /// Shoots the viewport at each size, runs <paramref name="atEachSize"/> first (e.g. an assertion that something is in
    /// view), and leaves the page at the last size.
    public static async Task TakeAsync(IPage page, string name, Func<IPage, Task>? atEachSize = null)
    {
        foreach (var (width, height) in Sizes)
        {
            await page.SetViewportSizeAsync(width, height);
            if (atEachSize is not null)
            {
                await atEachSize(page);
            }
            await page.SaveAsync(name);
        }
    }
}
