using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Loki.Learning.Web.Features;

namespace Loki.Learning.Web.Features.Localization;

public static class LocalizationHosting
{
    public static readonly IReadOnlyList<string> Cultures = ["sv", "nb", "en"];

    public static void AddLokiLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = Cultures.Select(c => new CultureInfo(c)).ToList();
            options.DefaultRequestCulture = new RequestCulture("sv");
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            // The picker's cookie wins over the browser's languages.
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider(),
                new CookieRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
    }

    public static void UseLokiLocalization(this WebApplication app) => app.UseRequestLocalization();

    /// GET /culture?culture=nb&amp;returnUrl=/courses remembers the choice for a year and goes back.
    public static void MapCultureSwitch(this WebApplication app)
    {
        app.MapGet("/culture", (string? culture, string? returnUrl, HttpContext context) =>
        {
            if (culture is not null && Cultures.Contains(culture))
            {
                context.Response.Cookies.Append(
                    CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = false });
            }
            return TypedResults.LocalRedirect(LocalUrl.OrDefault(returnUrl));
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
