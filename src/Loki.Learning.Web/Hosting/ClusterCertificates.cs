using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Loki.Learning.Web.Hosting;

/// Makes the certificates a cluster's silos prove themselves to each other with (docs/operations.md, "Cluster
/// certificates"): a certificate authority of the cluster's own and one certificate per node that it issues. With .NET's
/// <see cref="CertificateRequest"/> only, so an offline school needs no outside tool. The same files can be made with
/// openssl; <see cref="ClusterTls"/> reads either.
public static class ClusterCertificates
{
    public const string AuthorityCertificateFile = "cluster-ca.pem";

    /// The CA's private key: it stays with whoever adds nodes, never on a node.
    public const string AuthorityKeyFile = "cluster-ca.key";

    /// Every node both answers and dials other silos, so its certificate serves both purposes.
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// A new cluster CA (ECDSA P-256): it may sign node certificates and nothing below them (path length 0).
    public static X509Certificate2 CreateAuthority(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// A node's certificate, signed by <paramref name="authority"/> (which must hold its private key). The node's name
    /// goes into the subject and the DNS name for the operator's sake; peers check the issuer, not the name
    /// (docs/security-cluster.md).
    public static X509Certificate2 IssueNode(X509Certificate2 authority, string nodeName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={nodeName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        request.CertificateExtensions.Add(names.Build());
        // Within the CA's own validity (a CA openssl just made starts now): a certificate outside it fails anyway.
        var from = notBefore > authority.NotBefore ? notBefore : new DateTimeOffset(authority.NotBefore);
        var until = notAfter < authority.NotAfter ? notAfter : new DateTimeOffset(authority.NotAfter);
        using var issued = request.Create(authority, from, until, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// Writes <c>&lt;node&gt;.pem</c> and <c>&lt;node&gt;.key</c> for each of <paramref name="nodeNames"/> into
    /// <paramref name="folder"/>, issued by the CA in that folder (<see cref="AuthorityCertificateFile"/>,
    /// <see cref="AuthorityKeyFile"/>), which is made first when there is none (<paramref name="clusterName"/> names it).
    /// Keys are written readable by their owner only. An existing node file is not overwritten.
    public static IReadOnlyList<NodeCertificateFiles> Write(string folder, string clusterName, IReadOnlyList<string> nodeNames, TimeProvider? clock = null)
    {
        foreach (var name in nodeNames)
        {
            if (name.Length == 0 || name.IndexOfAny([.. Path.GetInvalidFileNameChars(), ',', '=', '+', '"', '\\', '<', '>', ';']) >= 0)
            {
                throw new ArgumentException($"'{name}' is not a usable node name: letters, digits, dots and dashes (e.g. node1.school.local).", nameof(nodeNames));
            }
        }
        Directory.CreateDirectory(folder);
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var caPath = Path.Combine(folder, AuthorityCertificateFile);
        var caKeyPath = Path.Combine(folder, AuthorityKeyFile);
        if (File.Exists(caPath) && !File.Exists(caKeyPath))
        {
            throw new InvalidOperationException($"{caPath} is there but not its key {AuthorityKeyFile}: node certificates can be issued only where the CA's key is.");
        }
        using var authority = File.Exists(caPath)
            ? X509Certificate2.CreateFromPemFile(caPath, caKeyPath)
            : CreateAndWriteAuthority(clusterName, now, caPath, caKeyPath);
        var written = new List<NodeCertificateFiles>();
        foreach (var name in nodeNames)
        {
            var files = new NodeCertificateFiles(Path.Combine(folder, name + ".pem"), Path.Combine(folder, name + ".key"), caPath);
            if (!File.Exists(files.CertificatePath))
            {
                // A minute back, so a node whose clock is a little behind accepts a certificate made just now.
                using var node = IssueNode(authority, name, now.AddMinutes(-1), now.AddYears(2));
                WritePem(files.KeyPath, ExportKeyPem(node), secret: true);
                WritePem(files.CertificatePath, node.ExportCertificatePem(), secret: false);
            }
            written.Add(files);
        }
        return written;
    }

    private static X509Certificate2 CreateAndWriteAuthority(string clusterName, DateTimeOffset now, string caPath, string caKeyPath)
    {
        var authority = CreateAuthority($"{clusterName} cluster CA", now.AddMinutes(-1), now.AddYears(10));
        WritePem(caKeyPath, ExportKeyPem(authority), secret: true);
        WritePem(caPath, authority.ExportCertificatePem(), secret: false);
        return authority;
    }

    private static string ExportKeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{certificate.Subject} has no ECDSA private key")).ExportPkcs8PrivateKeyPem();

    private static void WritePem(string path, string pem, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(pem);
        writer.Write('\n');
    }
}

/// One node's files: what its <c>Cluster:Tls:CertificatePath</c>, <c>KeyPath</c> and <c>CaPath</c> name.
public sealed record NodeCertificateFiles(string CertificatePath, string KeyPath, string CaPath);
