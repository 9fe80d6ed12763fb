using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Features.Notices;

/// The <c>Site</c> section (docs/operations.md), checked when the node starts.
public sealed class SiteOptions : ICheckedSettings
{
    public const string Section = "Site";

    /// The site's name on /info.
    public string Name { get; set; } = "Loki.Learning";

    /// The site's public address (default http://localhost:5080/; with HTTPS served by the node, derived at start).
    public string? PublicUrl { get; set; }

    /// Parent domain for the sign-in cookie in a cluster.
    public string? CookieDomain { get; set; }

    public SiteContact Contact { get; set; } = new();

    public IEnumerable<string> Problems()
    {
        if (PublicUrl is { Length: > 0 } url && !SettingsCheck.IsWebAddress(url))
        {
            yield return SettingsCheck.Problem("Site:PublicUrl", "an http:// or https:// address such as https://loki.school.example/", url);
        }
        if (CookieDomain is { Length: > 0 } domain && Uri.CheckHostName(domain.TrimStart('.')) != UriHostNameType.Dns)
        {
            yield return SettingsCheck.Problem("Site:CookieDomain", "a domain name such as loki.school.example", domain);
        }
        if (Name.Trim().Length == 0)
        {
            yield return SettingsCheck.Problem("Site:Name", "a name people read on /info", Name);
        }
    }
}

/// Whom to reach, on /info.
public sealed class SiteContact
{
    public string? Organization { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Address { get; set; }
}


/// Who runs this site and how to reach them, shown on /info; and the address links in e-mails point to.
/// Configuration: <see cref="SiteOptions"/>.
public sealed record SiteInfo(string Name, Uri PublicUrl, string? Organization, string? Email, string? Phone, string? Address)
{
    public static SiteInfo From(SiteOptions site)
    {
        var url = site.PublicUrl is { Length: > 0 } configured ? configured : "http://localhost:5080/";
        return new SiteInfo(
            site.Name,
            new Uri(url.EndsWith('/') ? url : url + "/"),
            site.Contact.Organization,
            site.Contact.Email,
            site.Contact.Phone,
            site.Contact.Address);
    }

    public string Link(string relativePath) => new Uri(PublicUrl, relativePath).ToString();
}
