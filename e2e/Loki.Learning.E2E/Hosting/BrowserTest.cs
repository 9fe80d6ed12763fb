using Microsoft.Playwright;

namespace Loki.Learning.E2E.Hosting;

/// A test against the running app. Each call to <see cref="NewPageAsync"/> is a fresh browser context:
/// its own cookies, like a different person at a different computer.
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture browser, LokiApp app) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected LokiApp App => app;

    /// <param name="locale">The browser's language; Swedish, the platform's default, unless a test asks otherwise.</param>
    protected async Task<IPage> NewPageAsync(string locale = "sv-SE")
    {
        var context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = locale,
            TimezoneId = "Europe/Stockholm",
        });
        context.SetDefaultTimeout(15_000);
        await context.AddInitScriptAsync(PageActions.InteractivityProbe);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    protected async Task<IPage> LogInAsync(string login, string password)
    {
        var page = await NewPageAsync();
        await page.LogInAsync(login, password);
        return page;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }
}
