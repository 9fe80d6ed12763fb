using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.HttpOverrides;

namespace Loki.Learning.Web.Hosting;

/// How the site meets the browser: HTTPS served by Kestrel itself (its standard <c>Kestrel:Certificates:Default</c>
/// settings) or by a reverse proxy in front (<c>Proxy:KnownProxies</c>, <c>Proxy:KnownNetworks</c>), and the public
/// address (<c>Site:PublicUrl</c>). Browsers allow the microphone only on a secure origin, so for a school this is
/// not optional: docs/operations.md, "Install at a school".
public sealed record WebFront(bool ServesHttps, Uri? PublicUrl, IReadOnlyList<IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> ProxyNetworks)
{
    /// Browsers reach the site over HTTPS: Kestrel serves it, or the public address a proxy answers on is https.
    public bool HttpsOn => ServesHttps || PublicUrl?.Scheme == Uri.UriSchemeHttps;

    /// Forwarded headers are read only from these senders; with none configured they are never read.
    public bool TrustsProxies => Proxies.Count > 0 || ProxyNetworks.Count > 0;

    /// Where the site is when it is served securely: the link shown on a page opened at an insecure address.
    public Uri? SecureUrl => PublicUrl?.Scheme == Uri.UriSchemeHttps ? PublicUrl : null;
}

public static class HttpsHosting
{
    /// Requests for these paths are never redirected to HTTPS: health probes of a load balancer or monitor on plain
    /// HTTP carry no secret and must not be turned away.
    private const string HealthPath = "/health";

    /// Reads and checks the settings: a certificate file that is missing, unreadable, expired or for another host stops
    /// the node here with one line naming the file (<see cref="SetupProblem"/>), before anything listens.
    public static void AddLokiHttps(this WebApplicationBuilder builder)
    {
        var front = Read(builder.Configuration, builder.Environment, DateTimeOffset.UtcNow);
        // The public address is what e-mails link to and what the JackTrip command dials (docs/operations.md).
        var settings = new Dictionary<string, string?>();
        if (front.PublicUrl is { } publicUrl && string.IsNullOrEmpty(builder.Configuration["Site:PublicUrl"]))
        {
            settings["Site:PublicUrl"] = publicUrl.ToString();
        }
        if (front.PublicUrl is { } site && string.IsNullOrEmpty(builder.Configuration["Media:PublicHost"]))
        {
            settings["Media:PublicHost"] = site.Host;
        }
        if (settings.Count > 0)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Services.AddSingleton(front);

        if (front.TrustsProxies)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
                // ASP.NET Core trusts loopback by default; here only what the operator named is trusted.
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                foreach (var proxy in front.Proxies)
                {
                    options.KnownProxies.Add(proxy);
                }
                foreach (var network in front.ProxyNetworks)
                {
                    options.KnownIPNetworks.Add(network);
                }
            });
        }
        if (front.HttpsOn)
        {
            // Not includeSubDomains: a school's other services under the same domain may not have HTTPS yet.
            builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
            builder.Services.Configure<CookiePolicyOptions>(options => options.Secure = CookieSecurePolicy.Always);
            if (front.PublicUrl is { Scheme: "https" } secure)
            {
                builder.Services.AddHttpsRedirection(options => options.HttpsPort = secure.Port);
            }
        }
    }

    /// First in the pipeline: the proxy's forwarded scheme, host and client address, then HSTS, the redirect to
    /// HTTPS and <c>Secure</c> cookies when HTTPS is on.
    public static void UseLokiHttps(this WebApplication app)
    {
        var front = app.Services.GetRequiredService<WebFront>();
        if (front.TrustsProxies)
        {
            app.UseForwardedHeaders();
        }
        if (front.HttpsOn)
        {
            app.UseHsts();
            app.UseWhen(context => !context.Request.Path.StartsWithSegments(HealthPath), https => https.UseHttpsRedirection());
            app.UseCookiePolicy();
        }
    }

    public static WebFront Read(IConfiguration configuration, IHostEnvironment environment, DateTimeOffset now)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();
        var httpsUrls = urls.Where(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)).ToList();
        var servesHttps = httpsUrls.Count > 0 || !string.IsNullOrEmpty(configuration["https_ports"]);

        Uri? publicUrl = null;
        if (configuration["Site:PublicUrl"] is { Length: > 0 } configured)
        {
            if (!Uri.TryCreate(configured.EndsWith('/') ? configured : configured + "/", UriKind.Absolute, out publicUrl)
                || (publicUrl.Scheme != Uri.UriSchemeHttp && publicUrl.Scheme != Uri.UriSchemeHttps))
            {
                throw new SetupProblem($"Site:PublicUrl: '{configured}' is not an http:// or https:// address.");
            }
        }

        var certificates = CertificateSettings(configuration, httpsUrls).ToList();
        if (servesHttps && certificates.Count == 0 && !environment.IsDevelopment())
        {
            throw new SetupProblem(
                "Kestrel:Certificates:Default:Path: the node is asked to serve https but no certificate is configured; set Kestrel__Certificates__Default__Path and KeyPath (docs/operations.md, \"Install at a school\").");
        }
        X509Certificate2? first = null;
        foreach (var (setting, section) in certificates)
        {
            var certificate = Check(setting, section, publicUrl?.Scheme == Uri.UriSchemeHttps ? publicUrl.Host : null, now);
            if (first is null)
            {
                first = certificate;
            }
            else
            {
                certificate.Dispose();
            }
        }
        // Without Site:PublicUrl a node serving HTTPS is at the first name its certificate carries.
        if (publicUrl is null && servesHttps && first is not null
            && first.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(n => n.EnumerateDnsNames()).FirstOrDefault() is { } name)
        {
            var port = httpsUrls.Select(PortOf).FirstOrDefault(p => p is > 0 and not 443);
            publicUrl = new UriBuilder(Uri.UriSchemeHttps, name, port ?? -1).Uri;
        }
        first?.Dispose();

        return new WebFront(servesHttps, publicUrl, ReadList(configuration, "Proxy:KnownProxies", ParseProxy), ReadList(configuration, "Proxy:KnownNetworks", ParseNetwork));
    }

    /// The certificate sections Kestrel would read: the default one and those of https endpoints.
    private static IEnumerable<(string Setting, IConfigurationSection Section)> CertificateSettings(IConfiguration configuration, IReadOnlyList<string> httpsUrls)
    {
        var defaults = configuration.GetSection("Kestrel:Certificates:Default");
        if (!string.IsNullOrEmpty(defaults["Path"]))
        {
            yield return ("Kestrel:Certificates:Default", defaults);
        }
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var certificate = endpoint.GetSection("Certificate");
            if (!string.IsNullOrEmpty(certificate["Path"]))
            {
                yield return ($"Kestrel:Endpoints:{endpoint.Key}:Certificate", certificate);
            }
        }
    }

    /// Loads the certificate as Kestrel will (PEM with <c>KeyPath</c>, otherwise PKCS#12) and checks it is usable now
    /// and for <paramref name="publicHost"/>.
    private static X509Certificate2 Check(string setting, IConfigurationSection section, string? publicHost, DateTimeOffset now)
    {
        var path = section["Path"]!;
        var keyPath = section["KeyPath"];
        var password = section["Password"];
        Readable(path, setting + ":Path");
        if (!string.IsNullOrEmpty(keyPath))
        {
            Readable(keyPath, setting + ":KeyPath");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = string.IsNullOrEmpty(keyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
                : string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            var what = string.IsNullOrEmpty(keyPath) ? "a PKCS#12 (.pfx) file with its password" : $"a PEM certificate whose key is {keyPath}";
            throw new SetupProblem($"{path} ({setting}:Path): not {what}: {OneLine(exception.Message)}.");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new SetupProblem($"{path} ({setting}:Path): the certificate comes without its private key; give the key file in {setting}:KeyPath.");
        }
        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
        {
            var expired = certificate.NotAfter;
            certificate.Dispose();
            throw new SetupProblem($"{path} ({setting}:Path): the certificate expired on {expired:yyyy-MM-dd}; renew it (docs/operations.md, \"Renew the certificate\").");
        }
        if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            var notBefore = certificate.NotBefore;
            certificate.Dispose();
            throw new SetupProblem($"{path} ({setting}:Path): the certificate is not valid before {notBefore:yyyy-MM-dd HH:mm}; check this machine's clock.");
        }
        if (publicHost is not null && !certificate.MatchesHostname(publicHost, allowWildcards: true, allowCommonName: false))
        {
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(n => n.EnumerateDnsNames().Concat(n.EnumerateIPAddresses().Select(a => a.ToString()))).ToList();
            certificate.Dispose();
            throw new SetupProblem(
                $"{path} ({setting}:Path): the certificate is for {(names.Count == 0 ? "no host name" : string.Join(", ", names))}, not for {publicHost} (Site:PublicUrl); make one for {publicHost} with the certificate command.");
        }
        return certificate;
    }

    private static void Readable(string path, string setting)
    {
        if (!File.Exists(path))
        {
            throw new SetupProblem($"{path} ({setting}): the file does not exist.");
        }
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new SetupProblem($"{path} ({setting}): the file cannot be read by this user ({OneLine(exception.Message)}); give the service's group read access.");
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim().TrimEnd('.');

    private static int? PortOf(string url) =>
        Uri.TryCreate(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : null;

    /// A list setting given as one comma-separated value or as an array section (<c>Proxy:KnownProxies:0</c>, …).
    private static IReadOnlyList<T> ReadList<T>(IConfiguration configuration, string key, Func<string, string, T> parse)
    {
        var values = (configuration[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>().Select(v => v.Trim()))
            .Where(v => v.Length > 0);
        return values.Select(v => parse(key, v)).ToList();
    }

    private static IPAddress ParseProxy(string key, string value) =>
        IPAddress.TryParse(value, out var address) ? address : throw new SetupProblem($"{key}: '{value}' is not an IP address.");

    private static System.Net.IPNetwork ParseNetwork(string key, string value) =>
        System.Net.IPNetwork.TryParse(value, out var network) ? network : throw new SetupProblem($"{key}: '{value}' is not a network like 10.0.0.0/24.");
}
