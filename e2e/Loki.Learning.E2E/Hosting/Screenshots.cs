using Microsoft.Playwright;

namespace Loki.Learning.E2E.Hosting;

/// Screenshots a journey leaves behind for people to look at: each state at a laptop's 1366×768 and a phone's 390×844.
/// They go to <c>LOKI_SCREENSHOTS</c> when set, else to <c>screenshots/</c> beside the test assembly.
public static class Screenshots
{
    public static readonly IReadOnlyList<(int Width, int Height)> Sizes = [(1366, 768), (390, 844)];

    public static string Folder { get; } = Environment.GetEnvironmentVariable("LOKI_SCREENSHOTS") is { Length: > 0 } configured
        ? configured
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// Shoots the viewport at each size, runs <paramref name="atEachSize"/> first (e.g. an assertion that something is in
    /// view), and leaves the page at the last size.
    public static async Task TakeAsync(IPage page, string name, Func<IPage, Task>? atEachSize = null)
    {
        Directory.CreateDirectory(Folder);
        foreach (var (width, height) in Sizes)
        {
            await page.SetViewportSizeAsync(width, height);
            if (atEachSize is not null)
            {
                await atEachSize(page);
            }
            await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, $"{name}-{width}x{height}.png") });
        }
    }
}
