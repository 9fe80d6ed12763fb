using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Loki.Learning.Web.Hosting;

/// HTTPS for a school LAN without internet: a certificate authority of the installation's own, made once, and a server
/// certificate it signs for the names pupils type. Browsers allow the microphone only on a secure origin, so a site at
/// <c>loki.kulturskola.local</c> needs a certificate its computers trust; installing <see cref="AuthorityFile"/> on them
/// once is that trust. Running <see cref="Issue"/> again renews the server certificate with the same authority.
/// <para>
/// The authority is name-constrained to the hosts it was made for: whoever gets hold of its key can sign for those
/// names only, not for any other site the school's computers visit.
/// </para>
public static class LocalCertificates
{
    public const string AuthorityFile = "loki-ca.crt";
    public const string AuthorityKeyFile = "loki-ca.key";
    public const string ServerFile = "loki.crt";
    public const string ServerKeyFile = "loki.key";

    /// Ten years: installed once on every computer, it should outlive the computers.
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    /// Within the 398 days Apple's and Google's platforms accept for a server certificate.
    public static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(397);

    /// Renew when less than this is left; the command says the date.
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public sealed record Issued(X509Certificate2 Authority, bool AuthorityIsNew, X509Certificate2 Server, string Folder)
    {
        public string AuthorityPath => Path.Combine(Folder, AuthorityFile);

        public string ServerPath => Path.Combine(Folder, ServerFile);

        public string ServerKeyPath => Path.Combine(Folder, ServerKeyFile);
    }

    /// Makes the authority in <paramref name="folder"/> unless it is there, then a fresh server certificate for
    /// <paramref name="hosts"/> (names and IP addresses; the first name is the site's). Throws
    /// <see cref="SetupProblem"/> with a sentence for the operator when it cannot.
    public static Issued Issue(string folder, IReadOnlyList<string> hosts, DateTimeOffset now, bool newAuthority = false)
    {
        var (names, addresses) = ParseHosts(hosts);
        Directory.CreateDirectory(folder);
        var authorityPath = Path.Combine(folder, AuthorityFile);
        var authorityKeyPath = Path.Combine(folder, AuthorityKeyFile);

        X509Certificate2 authority;
        var made = false;
        if (!newAuthority && File.Exists(authorityPath))
        {
            authority = LoadAuthority(authorityPath, authorityKeyPath);
            if (authority.NotAfter.ToUniversalTime() < (now + ServerLifetime).UtcDateTime)
            {
                throw new SetupProblem(
                    $"{authorityPath}: the certificate authority expires on {authority.NotAfter:yyyy-MM-dd}, before a new server certificate would; run again with --new-ca and install the new {AuthorityFile} on every computer.");
            }
            foreach (var host in names.Concat(addresses.Select(a => a.ToString())))
            {
                if (!Permits(authority, host))
                {
                    throw new SetupProblem(
                        $"{authorityPath}: the certificate authority was made for {string.Join(", ", PermittedHosts(authority))} and cannot sign for {host}; run again with --new-ca and install the new {AuthorityFile} on every computer.");
                }
            }
        }
        else
        {
            authority = MakeAuthority(names, addresses, now);
            WritePem(authorityPath, authority.ExportCertificatePem(), secret: false);
            using var key = authority.GetRSAPrivateKey()!;
            WritePem(authorityKeyPath, key.ExportPkcs8PrivateKeyPem(), secret: true);
            made = true;
        }

        var server = MakeServer(authority, names, addresses, now);
        WritePem(Path.Combine(folder, ServerFile), server.ExportCertificatePem(), secret: false);
        using (var serverKey = server.GetRSAPrivateKey()!)
        {
            WritePem(Path.Combine(folder, ServerKeyFile), serverKey.ExportPkcs8PrivateKeyPem(), secret: true);
        }
        return new Issued(authority, made, server, folder);
    }

    /// Splits <c>--hosts</c> into DNS names and addresses; at least one name, since pupils type a name and the site's
    /// public address is one.
    public static (IReadOnlyList<string> Names, IReadOnlyList<IPAddress> Addresses) ParseHosts(IReadOnlyList<string> hosts)
    {
        var names = new List<string>();
        var addresses = new List<IPAddress>();
        foreach (var raw in hosts.Select(h => h.Trim()).Where(h => h.Length > 0))
        {
            if (IPAddress.TryParse(raw.Trim('[', ']'), out var address))
            {
                addresses.Add(address);
            }
            else if (Uri.CheckHostName(raw) == UriHostNameType.Dns && !raw.Contains('*', StringComparison.Ordinal))
            {
                names.Add(raw.ToLowerInvariant().TrimEnd('.'));
            }
            else
            {
                throw new SetupProblem($"--hosts: '{raw}' is neither a host name nor an IP address.");
            }
        }
        if (names.Count == 0)
        {
            throw new SetupProblem("--hosts: give at least one host name (the name pupils type, e.g. loki.kulturskola.local), then any IP addresses.");
        }
        return (names.Distinct().ToList(), addresses.Distinct().ToList());
    }

    private static X509Certificate2 MakeAuthority(IReadOnlyList<string> names, IReadOnlyList<IPAddress> addresses, DateTimeOffset now)
    {
        using var key = RSA.Create(3072);
        var subject = new X500DistinguishedName($"CN=Loki.Learning local CA for {names[0]} ({now:yyyy-MM-dd}), O=Loki.Learning");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(NameConstraints(names, addresses));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + AuthorityLifetime);
    }

    private static X509Certificate2 MakeServer(X509Certificate2 authority, IReadOnlyList<string> names, IReadOnlyList<IPAddress> addresses, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names[0]}"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternativeNames.AddDnsName(name);
        }
        foreach (var address in addresses)
        {
            alternativeNames.AddIpAddress(address);
        }
        request.CertificateExtensions.Add(alternativeNames.Build());

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var notAfter = now + ServerLifetime;
        if (notAfter > authority.NotAfter)
        {
            notAfter = authority.NotAfter;
        }
        using var unsigned = request.Create(authority, now.AddMinutes(-5), notAfter, serial);
        return unsigned.CopyWithPrivateKey(key);
    }

    /// RFC 5280 name constraints: the named hosts (and their sub-names) and the given addresses are permitted; with no
    /// address given, every address is excluded, so the key cannot sign for an IP either.
    private static X509Extension NameConstraints(IReadOnlyList<string> names, IReadOnlyList<IPAddress> addresses)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var permitted = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            using (writer.PushSequence(permitted))
            {
                foreach (var name in names)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteCharacterString(UniversalTagNumber.IA5String, name, new Asn1Tag(TagClass.ContextSpecific, 2));
                    }
                }
                foreach (var address in addresses)
                {
                    WriteAddressSubtree(writer, address, fullMask: true);
                }
            }
            if (addresses.Count == 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                {
                    WriteAddressSubtree(writer, IPAddress.Any, fullMask: false);
                    WriteAddressSubtree(writer, IPAddress.IPv6Any, fullMask: false);
                }
            }
        }
        // Not critical, as the CA/Browser Forum allows for constrained authorities: a client that does not know the
        // extension still accepts the certificate; every current browser and OS enforces it.
        return new X509Extension("2.5.29.30", writer.Encode(), critical: false);
    }

    /// An iPAddress subtree: the address followed by its mask (all ones for one host, all zeros for every address).
    private static void WriteAddressSubtree(AsnWriter writer, IPAddress address, bool fullMask)
    {
        var bytes = address.GetAddressBytes();
        var value = new byte[bytes.Length * 2];
        bytes.CopyTo(value, 0);
        if (fullMask)
        {
            Array.Fill(value, (byte)0xFF, bytes.Length, bytes.Length);
        }
        using (writer.PushSequence())
        {
            writer.WriteOctetString(value, new Asn1Tag(TagClass.ContextSpecific, 7));
        }
    }

    /// The hosts an authority made here may sign for (its permitted DNS names and addresses).
    public static IReadOnlyList<string> PermittedHosts(X509Certificate2 authority)
    {
        var extension = authority.Extensions["2.5.29.30"];
        if (extension is null)
        {
            return [];
        }
        var hosts = new List<string>();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        if (!reader.HasData || !reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            return hosts;
        }
        var permitted = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        while (permitted.HasData)
        {
            var subtree = permitted.ReadSequence();
            var tag = subtree.PeekTag();
            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                hosts.Add(subtree.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2)));
            }
            else if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 7)))
            {
                var value = subtree.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7));
                hosts.Add(new IPAddress(value.AsSpan(0, value.Length / 2)).ToString());
            }
            else
            {
                subtree.ReadEncodedValue();
            }
        }
        return hosts;
    }

    /// Whether an authority made here may sign for <paramref name="host"/>: one of its names or a sub-name, or one of its addresses.
    private static bool Permits(X509Certificate2 authority, string host)
    {
        var permitted = PermittedHosts(authority);
        if (permitted.Count == 0)
        {
            return true;
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return permitted.Any(p => IPAddress.TryParse(p, out var allowed) && allowed.Equals(address));
        }
        return permitted.Any(p => !IPAddress.TryParse(p, out _)
            && (string.Equals(host, p, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + p, StringComparison.OrdinalIgnoreCase)));
    }

    private static X509Certificate2 LoadAuthority(string certificatePath, string keyPath)
    {
        if (!File.Exists(keyPath))
        {
            throw new SetupProblem($"{keyPath}: the certificate authority's key is missing beside {AuthorityFile}; restore it from the backup, or run again with --new-ca and install the new {AuthorityFile} on every computer.");
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or UnauthorizedAccessException or IOException)
        {
            throw new SetupProblem($"{certificatePath}: cannot read the certificate authority with its key {keyPath} ({exception.Message.TrimEnd('.')}).");
        }
    }

    /// Writes through a temporary file so a renewal that fails half-way leaves the old files in place; keys are
    /// readable by their owner only (the service's group is given read access by the install steps).
    private static void WritePem(string path, string pem, bool secret)
    {
        var temporary = path + ".new";
        File.WriteAllText(temporary, pem + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// The command: <c>certificate --hosts NAME[,NAME|IP…] --out DIR [--new-ca]</c>; prints what to install where.
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, DateTimeOffset now)
    {
        string? hosts = null;
        string? folder = null;
        var newAuthority = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--hosts" when i + 1 < args.Count:
                    hosts = args[++i];
                    break;
                case "--out" when i + 1 < args.Count:
                    folder = args[++i];
                    break;
                case "--new-ca":
                    newAuthority = true;
                    break;
                default:
                    error.WriteLine($"certificate: unknown option '{args[i]}'. Usage: certificate --hosts loki.kulturskola.local[,10.0.0.11] --out /etc/loki/tls [--new-ca]");
                    return 2;
            }
        }
        if (hosts is null || folder is null)
        {
            error.WriteLine("certificate: --hosts and --out are required. Usage: certificate --hosts loki.kulturskola.local[,10.0.0.11] --out /etc/loki/tls [--new-ca]");
            return 2;
        }
        Issued issued;
        try
        {
            issued = Issue(Path.GetFullPath(folder), hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), now, newAuthority);
        }
        catch (SetupProblem problem)
        {
            error.WriteLine(problem.Message);
            return 1;
        }
        using (issued.Authority)
        using (issued.Server)
        {
            var names = issued.Server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            var covered = names.EnumerateDnsNames().Concat(names.EnumerateIPAddresses().Select(a => a.ToString())).ToList();
            var site = names.EnumerateDnsNames().First();
            output.WriteLine(issued.AuthorityIsNew
                ? $"Made a new certificate authority: {issued.AuthorityPath} (valid until {issued.Authority.NotAfter:yyyy-MM-dd})."
                : $"Kept the certificate authority: {issued.AuthorityPath} (valid until {issued.Authority.NotAfter:yyyy-MM-dd}); computers that trust it need nothing new.");
            output.WriteLine($"  Its key {Path.Combine(issued.Folder, AuthorityKeyFile)} signs for {string.Join(", ", PermittedHosts(issued.Authority))} only. Keep it on this server and in the backup, nowhere else.");
            if (issued.AuthorityIsNew)
            {
                output.WriteLine($"  Install {AuthorityFile} once on every computer and tablet that opens the site (docs/operations.md, \"Trust the school's certificate\"):");
                output.WriteLine($"    Windows:  certutil -addstore -f Root {AuthorityFile}   (as administrator; or Group Policy: Trusted Root Certification Authorities)");
                output.WriteLine($"    macOS:    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {AuthorityFile}");
                output.WriteLine($"    ChromeOS: Settings > Privacy and security > Security > Manage certificates > Authorities > Import, tick \"Trust this certificate for identifying websites\"");
                output.WriteLine($"    iPad:     open {AuthorityFile} (mail, AirDrop or a web link), Settings > Profile Downloaded > Install, then Settings > General > About > Certificate Trust Settings: turn it on");
                output.WriteLine($"    Debian:   sudo cp {AuthorityFile} /usr/local/share/ca-certificates/ && sudo update-ca-certificates");
            }
            output.WriteLine($"Made the server certificate {issued.ServerPath} with its key {issued.ServerKeyPath} for {string.Join(", ", covered)}, valid until {issued.Server.NotAfter:yyyy-MM-dd}.");
            output.WriteLine("  Settings for the server (/etc/loki/loki.env):");
            output.WriteLine("    ASPNETCORE_URLS=https://+:443;http://+:80");
            output.WriteLine($"    Kestrel__Certificates__Default__Path={issued.ServerPath}");
            output.WriteLine($"    Kestrel__Certificates__Default__KeyPath={issued.ServerKeyPath}");
            output.WriteLine($"    Loki__Site__PublicUrl=https://{site}/");
            output.WriteLine($"  The service reads the key: sudo chgrp loki {issued.ServerKeyPath}");
            output.WriteLine($"  Renew before {(issued.Server.NotAfter - RenewBefore):yyyy-MM-dd}: run this same command again (the authority is kept), then restart the service.");
        }
        return 0;
    }
}

/// A setting or file keeps the node from starting, or a command from finishing: the message is one line for the
/// operator, naming the setting or file and the problem (Program prints it instead of a stack trace).
public sealed class SetupProblem(string message) : Exception(message);
