using System.Net;

namespace Loki.Learning.Web.Features;

/// The address links in e-mails point to: <c>Site:PublicUrl</c> when it is set (or derived from the HTTPS
/// certificate), otherwise the address the request that causes the mail came to (after forwarded headers from a
/// trusted proxy), so a site without the setting does not send people to localhost.
public sealed class PublicAddress(Uri? configured)
{
    public static PublicAddress From(IConfiguration configuration) =>
        new(configuration["Site:PublicUrl"] is { Length: > 0 } url ? new Uri(url.EndsWith('/') ? url : url + "/") : null);

    public Uri? Configured { get; } = configured;

    public Uri BaseFor(HttpRequest request) =>
        Configured ?? new Uri($"{request.Scheme}://{(request.Host.HasValue ? request.Host.Value : "localhost")}{request.PathBase}/");

    public string LinkFor(HttpRequest request, string relativePath) => new Uri(BaseFor(request), relativePath).ToString();

    /// Whether a link built from <paramref name="request"/> may go into a mail to someone other than the caller. The
    /// Host header is the caller's to choose: a password-reset link to a name the caller picked would hand them the
    /// victim's reset token. Trusted are the configured address, a loopback name, and an IP address that is the one
    /// the request came to (this server's own).
    public bool TrustsHostOf(HttpRequest request)
    {
        if (Configured is not null)
        {
            return true;
        }
        var host = request.Host.Host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var local = request.HttpContext.Connection.LocalIpAddress;
        if (local is { IsIPv4MappedToIPv6: true })
        {
            local = local.MapToIPv4();
        }
        return IPAddress.TryParse(host.Trim('[', ']'), out var named) && local is not null && named.Equals(local);
    }
}
