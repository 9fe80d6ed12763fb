using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Hosting;

/// What a person does on a page, in the platform's default language (Swedish).
public static class PageActions
{
    private static readonly TimeSpan InteractiveTimeout = TimeSpan.FromSeconds(20);

    /// Run in every page before its own scripts: notes when the interactive router of the server circuit has
    /// taken over the page. Until then a click on a link can race the circuit's own first render.
    public const string InteractivityProbe = """
        (() => {
            let blazor;
            Object.defineProperty(window, 'Blazor', {
                configurable: true,
                get() { return blazor; },
                set(value) {
                    blazor = value;
                    const navigation = value && value._internal && value._internal.navigationManager;
                    if (navigation && !navigation.lokiProbe) {
                        const enable = navigation.enableNavigationInterception;
                        navigation.enableNavigationInterception = function (...args) {
                            window.lokiInteractive = true;
                            return enable.apply(this, args);
                        };
                        navigation.lokiProbe = true;
                    }
                },
            });
        })();
        """;

    /// Signs in on the login page (a plain form post) and lands on "My schedule".
    public static async Task LogInAsync(this IPage page, string login, string password)
    {
        await page.GotoAsync("account/login");
        await page.GetByLabel("E-post eller användarnamn").FillAsync(login);
        await page.GetByLabel("Lösenord").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Logga in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Mitt schema", Level = 1 })).ToBeVisibleAsync();
        await page.WaitUntilInteractiveAsync();
    }

    /// Opens <paramref name="path"/> and waits until the server circuit has taken the page over.
    public static async Task OpenAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitUntilInteractiveAsync();
    }

    public static async Task WaitUntilInteractiveAsync(this IPage page)
    {
        try
        {
            await page.WaitForFunctionAsync("() => window.lokiInteractive === true", null, new() { Timeout = (float)InteractiveTimeout.TotalMilliseconds });
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(
                $"{page.Url}: the server circuit did not take the page over within {InteractiveTimeout.TotalSeconds} s "
                + "(or a new Blazor no longer calls Blazor._internal.navigationManager.enableNavigationInterception, which the probe watches).",
                exception);
        }
    }

    /// Pages are prerendered, then taken over by the server circuit. A click on the prerendered copy of a
    /// button does nothing and text typed into a prerendered input is replaced, so act only once Blazor
    /// has attached its event handlers to the element (it keeps them in an "_blazorEvents_N" property).
    public static async Task<ILocator> WhenInteractiveAsync(this ILocator element)
    {
        var deadline = DateTime.UtcNow + InteractiveTimeout;
        while (true)
        {
            await Expect(element).ToBeVisibleAsync();
            if (await element.EvaluateAsync<bool>("e => Object.keys(e).some(k => k.startsWith('_blazorEvents_'))"))
            {
                return element;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{element} did not become interactive within {InteractiveTimeout.TotalSeconds} s.");
            }
            await Task.Delay(50);
        }
    }

    public static async Task ClickWhenInteractiveAsync(this ILocator button) => await (await button.WhenInteractiveAsync()).ClickAsync();

    public static ILocator Button(this IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    public static ILocator Heading(this IPage page, string name, int level) => page.GetByRole(AriaRole.Heading, new() { Name = name, Level = level, Exact = true });

    public static ILocator Link(this IPage page, string name) => page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    /// On a course page, as one of its teachers: schedules a session and waits for the confirmation.
    public static async Task ScheduleSessionAsync(this IPage page, string title, DateOnly day, string localTime, int minutes)
    {
        var schedule = await page.Button("Lägg till i schemat").WhenInteractiveAsync();
        await page.GetByLabel("Rubrik").FillAsync(title);
        await page.GetByLabel("Börjar").FillAsync($"{day:yyyy-MM-dd}T{localTime}");
        await page.GetByLabel("Längd (minuter)").FillAsync(minutes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await schedule.ClickAsync();
        // The confirmation alone may still be the previous one's: wait for this session in the list.
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Tillagd i schemat.");
    }
}
