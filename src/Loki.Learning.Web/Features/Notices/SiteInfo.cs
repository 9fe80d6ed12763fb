namespace Loki.Learning.Web.Features.Notices;

/// Who runs this site and how to reach them, shown on /info; and the address links in e-mails point to.
/// Configuration: <c>Site:Name</c>, <c>Site:PublicUrl</c> (default http://localhost:5080/), <c>Site:Contact:Organization</c>,
/// <c>Site:Contact:Email</c>, <c>Site:Contact:Phone</c>, <c>Site:Contact:Address</c>.
public sealed record SiteInfo(string Name, Uri PublicUrl, string? Organization, string? Email, string? Phone, string? Address)
{
    public static SiteInfo From(IConfiguration configuration)
    {
        var url = configuration["Site:PublicUrl"] is { Length: > 0 } configured ? configured : "http://localhost:5080/";
        return new SiteInfo(
            configuration["Site:Name"] ?? "Loki.Learning",
            new Uri(url.EndsWith('/') ? url : url + "/"),
            configuration["Site:Contact:Organization"],
            configuration["Site:Contact:Email"],
            configuration["Site:Contact:Phone"],
            configuration["Site:Contact:Address"]);
    }

    public string Link(string relativePath) => new Uri(PublicUrl, relativePath).ToString();
}
