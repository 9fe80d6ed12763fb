using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Features.Localization;

/// Counted words: "1 track", "2 tracks". English, Swedish and Norwegian bokmål have one singular form, for exactly
/// one, so a counted text has a key for the plural and the same key with ".One" for the singular.
public static class Plurals
{
    public static LocalizedString Count(this IStringLocalizer<Text> text, string key, long count) =>
        text[count == 1 ? key + ".One" : key, count];
}
