using System.Net;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Loki.Learning.Web.Features;

/// The address links in e-mails point to: <c>Site:PublicUrl</c> when it is set (or derived from the HTTPS
/// certificate), otherwise the address the request that causes the mail came to (after forwarded headers from a
/// trusted proxy), so a site without the setting does not send people to localhost.
/// <param name="allowedHosts">The host names the operator listed in <c>AllowedHosts</c> (ASP.NET Core's host
/// filtering refuses every other name); empty when it is "*".</param>
public sealed class PublicAddress(Uri? configured, IReadOnlyList<string>? allowedHosts = null)
{
    public static PublicAddress From(IConfiguration configuration) =>
        new(configuration["Site:PublicUrl"] is { Length: > 0 } url ? new Uri(url.EndsWith('/') ? url : url + "/") : null,
            (configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(h => h != "*").ToList());

    public Uri? Configured { get; } = configured;

    private readonly IReadOnlyList<string> _allowedHosts = allowedHosts ?? [];

    public Uri BaseFor(HttpRequest request) =>
        Configured ?? new Uri($"{request.Scheme}://{(request.Host.HasValue ? request.Host.Value : "localhost")}{request.PathBase}/");

    public string LinkFor(HttpRequest request, string relativePath) => new Uri(BaseFor(request), relativePath).ToString();

    /// Where links in mails caused by <paramref name="request"/> go when the mail may reach someone who did not choose
    /// the address (a registration typed in another person's name): the configured address; else the one the request
    /// came to when <see cref="TrustsHostOf"/> it; else this server's own address on the connection (an IP address
    /// and port of this machine, never a name the caller made up, and never localhost for a visitor on the LAN).
    public Uri LinkBaseFor(HttpRequest request)
    {
        if (Configured is not null || TrustsHostOf(request))
        {
            return BaseFor(request);
        }
        var connection = request.HttpContext.Connection;
        var local = connection.LocalIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : connection.LocalIpAddress;
        if (local is null)
        {
            return BaseFor(request);
        }
        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return new UriBuilder(request.Scheme, host, connection.LocalPort, request.PathBase.Value + "/").Uri;
    }

    /// Whether a link built from <paramref name="request"/> may go into a mail to someone other than the caller. The
    /// Host header is the caller's to choose: a password-reset link to a name the caller picked would hand them the
    /// victim's reset token. Trusted are the configured address, a name the operator listed in <c>AllowedHosts</c>
    /// (the request would not have got here under another), a loopback name, and an IP address that is the one the
    /// request came to (this server's own).
    public bool TrustsHostOf(HttpRequest request)
    {
        if (Configured is not null)
        {
            return true;
        }
        var host = request.Host.Host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || _allowedHosts.Any(allowed => Matches(allowed, host)))
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

    /// Host filtering's patterns: a name, or "*.school.example" for its subdomains.
    private static bool Matches(string allowed, string host) =>
        allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase);
}

/// The link base (<see cref="PublicAddress.LinkBaseFor"/>) of an interactive page's circuit, taken from the request
/// that opened its connection (events of a circuit carry no HTTP request).
public sealed class CircuitLinkBase
{
    public Uri? Value { get; set; }

    internal sealed class Capture(CircuitLinkBase linkBase, PublicAddress address, IHttpContextAccessor accessor) : CircuitHandler
    {
        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            if (accessor.HttpContext?.Request is { } request)
            {
                linkBase.Value = address.LinkBaseFor(request);
            }
            return Task.CompletedTask;
        }
    }
}
