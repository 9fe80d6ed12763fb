using Microsoft.Playwright;

namespace Loki.Learning.E2E.Hosting;

/// Screenshots a test run keeps (for a person to look at, and for the README): in the folder named by
/// LOKI_SCREENSHOTS, else "screenshots" beside the test assembly.
public static class Screenshots
{
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
}
