namespace Loki.Learning.Web.Features.Materials;

/// A material's link is shown as a link on the course page: only web addresses may be one. javascript:, data:,
/// file:, vbscript: and addresses without a scheme are refused, whatever their spelling or surrounding spaces.
public static class MaterialLinks
{
    public const string Field = "Url";

    /// The address as it will be stored and shown, or a refusal on the link field.
    public static string Check(string url)
    {
        var text = url.Trim();
        return Web(text) is { } uri && !text.Any(char.IsControl)
            ? uri.AbsoluteUri
            : throw Refusal.Invalid("Materials.Refusal.Link", Field);
    }

    /// For the page: the stored address if it is still a web address, else null (then the title is shown without a link).
    public static string? Href(string? url) => url is not null && Web(url) is { } uri ? uri.AbsoluteUri : null;

    private static Uri? Web(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            ? uri
            : null;
}
