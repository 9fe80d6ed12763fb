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

    /// A page that scrolls sideways on a phone hides part of every line: nothing may reach past the viewport's right
    /// edge. The message names the elements that do (the widest first).
    public static async Task NoSidewaysScrollAsync(IPage page, string what)
    {
        var overflow = await page.EvaluateAsync<string[]>("""
            () => {
                const width = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= width + 1) { return []; }
                const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
                return [...document.body.querySelectorAll('*')]
                    .filter(e => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== 'fixed')
                    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
                    .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
                    .slice(0, 5)
                    .map(e => `${name(e)} to ${Math.round(e.getBoundingClientRect().right)} px`);
            }
            """);
        Assert.True(overflow.Length == 0,
            $"{what} at {page.ViewportSize!.Width} px scrolls sideways: {string.Join("; ", overflow)}");
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
            await NoSidewaysScrollAsync(page, name);
            await page.SaveAsync(name);
        }
    }
}
