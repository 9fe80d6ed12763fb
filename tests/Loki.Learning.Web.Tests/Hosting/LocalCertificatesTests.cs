using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Tests.Hosting;

/// The `certificate` command: a school's own certificate authority and the server certificate it signs, checked the way
/// a browser checks them (a chain to the authority as the only trusted root).
public sealed class LocalCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-certs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private X509Certificate2 Authority() => X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_folder, LocalCertificates.AuthorityFile));

    private X509Certificate2 Server() => X509Certificate2.CreateFromPemFile(Path.Combine(_folder, LocalCertificates.ServerFile), Path.Combine(_folder, LocalCertificates.ServerKeyFile));

    /// A chain as a school computer that trusts only the installed authority builds it, at <paramref name="when"/>.
    private static (bool Valid, X509ChainStatusFlags Status) Verify(X509Certificate2 certificate, X509Certificate2 authority, DateTimeOffset when)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = when.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        var valid = chain.Build(certificate);
        return (valid, chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status));
    }

    [Fact]
    public void TheServerCertificateChainsToTheAuthorityAndCoversEveryNameAndAddressGiven()
    {
        var issued = LocalCertificates.Issue(_folder, ["loki.kulturskola.local", "10.0.0.11"], Now);

        using var authority = Authority();
        using var server = Server();
        Assert.True(issued.AuthorityIsNew);
        Assert.Equal((true, X509ChainStatusFlags.NoError), Verify(server, authority, Now.AddDays(1)));
        Assert.True(server.MatchesHostname("loki.kulturskola.local", allowWildcards: false, allowCommonName: false));
        Assert.True(server.MatchesHostname("10.0.0.11", allowWildcards: false, allowCommonName: false));
        Assert.False(server.MatchesHostname("other.kulturskola.local", allowWildcards: true, allowCommonName: false));
        Assert.InRange((server.NotAfter - server.NotBefore).TotalDays, 390, 398);
        Assert.True(server.HasPrivateKey);
        Assert.True(authority.NotAfter > Now.AddYears(9).UtcDateTime);
    }

    [Fact]
    public void RunningTheCommandAgainRenewsTheServerCertificateWithTheSameAuthority()
    {
        LocalCertificates.Issue(_folder, ["loki.kulturskola.local"], Now);
        using var firstAuthority = Authority();
        using var firstServer = Server();

        var later = Now.AddDays(380);
        var renewed = LocalCertificates.Issue(_folder, ["loki.kulturskola.local"], later);

        using var authority = Authority();
        using var server = Server();
        Assert.False(renewed.AuthorityIsNew);
        Assert.Equal(firstAuthority.Thumbprint, authority.Thumbprint);
        Assert.NotEqual(firstServer.Thumbprint, server.Thumbprint);
        // A computer that installed the authority a year ago trusts the renewed certificate after the old one expired.
        Assert.True(Verify(server, firstAuthority, later.AddDays(30)).Valid);
        Assert.False(Verify(firstServer, firstAuthority, later.AddDays(30)).Valid);
    }

    [Fact]
    public void TheAuthorityCannotVouchForAnyOtherSiteOrAddress()
    {
        LocalCertificates.Issue(_folder, ["loki.kulturskola.local"], Now);
        using var authority = X509Certificate2.CreateFromPemFile(Path.Combine(_folder, LocalCertificates.AuthorityFile), Path.Combine(_folder, LocalCertificates.AuthorityKeyFile));

        // Someone with the authority's key signs for a bank and for an address: school computers refuse both.
        using var bank = SignedBy(authority, names: ["www.bank.example"], addresses: []);
        using var address = SignedBy(authority, names: ["loki.kulturskola.local"], addresses: [IPAddress.Parse("192.0.2.7")]);
        using var sibling = SignedBy(authority, names: ["node2.loki.kulturskola.local"], addresses: []);

        var (bankValid, bankStatus) = Verify(bank, authority, Now.AddDays(1));
        Assert.False(bankValid);
        Assert.True(bankStatus.HasFlag(X509ChainStatusFlags.HasNotPermittedNameConstraint) || bankStatus.HasFlag(X509ChainStatusFlags.HasExcludedNameConstraint), bankStatus.ToString());
        Assert.False(Verify(address, authority, Now.AddDays(1)).Valid);
        // Names under the site's own name stay possible (a second node).
        Assert.True(Verify(sibling, authority, Now.AddDays(1)).Valid);
    }

    [Fact]
    public void NewHostsOutsideTheAuthorityAskForANewOneInOneLine()
    {
        LocalCertificates.Issue(_folder, ["loki.kulturskola.local"], Now);
        var error = new StringWriter();

        var exit = LocalCertificates.Run(["--hosts", "loki.other-school.local", "--out", _folder], TextWriter.Null, error, Now);

        Assert.Equal(1, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(LocalCertificates.AuthorityFile, line, StringComparison.Ordinal);
        Assert.Contains("cannot sign for loki.other-school.local", line, StringComparison.Ordinal);
        Assert.Contains("--new-ca", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad_host!", "'bad_host!' is neither a host name nor an IP address")]
    [InlineData("10.0.0.11", "at least one host name")]
    [InlineData("*.kulturskola.local", "is neither a host name nor an IP address")]
    public void HostsThatCannotBeCertifiedAreRefusedAndNothingIsWritten(string hosts, string expected)
    {
        var error = new StringWriter();

        var exit = LocalCertificates.Run(["--hosts", hosts, "--out", _folder], TextWriter.Null, error, Now);

        Assert.Equal(1, exit);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheCommandSaysWhatToInstallWhereAndTheServerSettings()
    {
        var output = new StringWriter();

        var exit = LocalCertificates.Run(["--hosts", "loki.kulturskola.local,10.0.0.11", "--out", _folder], output, TextWriter.Null, Now);

        Assert.Equal(0, exit);
        var text = output.ToString();
        foreach (var expected in new[]
        {
            "Windows:", "macOS:", "ChromeOS:", "iPad:",
            "Kestrel__Certificates__Default__Path=" + Path.Combine(_folder, LocalCertificates.ServerFile),
            "Kestrel__Certificates__Default__KeyPath=" + Path.Combine(_folder, LocalCertificates.ServerKeyFile),
            "Loki__Site__PublicUrl=https://loki.kulturskola.local/",
            "Renew before",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
        // The keys are not for everyone on the machine.
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(_folder, LocalCertificates.AuthorityKeyFile)) & UnixFileMode.OtherRead);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(_folder, LocalCertificates.ServerKeyFile)) & UnixFileMode.OtherRead);
    }

    private static X509Certificate2 SignedBy(X509Certificate2 authority, string[] names, IPAddress[] addresses)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var alternative = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternative.AddDnsName(name);
        }
        foreach (var address in addresses)
        {
            alternative.AddIpAddress(address);
        }
        request.CertificateExtensions.Add(alternative.Build());
        return request.Create(authority, Now, Now.AddDays(90), RandomNumberGenerator.GetBytes(12));
    }
}
