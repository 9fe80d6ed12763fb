using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Loki.Learning.Web.Hosting;

/// Silo-to-silo TLS with mutual authentication (docs/security-cluster.md). Every connection between silos is TLS; each
/// side shows its node certificate and accepts the other's only when it was issued by the cluster's own CA
/// (<c>Cluster:Tls:CaPath</c>) for both server and client authentication and is valid today. Names are not checked:
/// the cluster CA issues node certificates only, so holding one (and its key) is what makes a process a member.
/// A certificate a public CA or another cluster's CA signed is refused, whatever the machine's trust store says.
public sealed class ClusterTls : IDisposable
{
    private ClusterTls(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    /// This node's certificate, with its private key.
    public X509Certificate2 Certificate { get; }

    /// The cluster CA's certificate (no key): the one root a peer's certificate must lead to.
    public X509Certificate2 Authority { get; }

    /// <c>Cluster:Tls:*</c> of a node in AdoNet mode: its certificate (<c>CertificatePath</c> and <c>KeyPath</c> as PEM,
    /// or <c>CertificatePath</c> alone as PKCS#12; <c>CertificatePassword</c> for an encrypted key or a PKCS#12 file)
    /// and the cluster CA (<c>CaPath</c>). Null when the operator switched TLS off with <c>Cluster:Tls:Disabled=true</c>.
    /// Anything missing, unreadable or not issued by that CA stops the node with one line naming the setting.
    public static ClusterTls? FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        var certificatePath = configuration["Cluster:Tls:CertificatePath"];
        var keyPath = configuration["Cluster:Tls:KeyPath"];
        var caPath = configuration["Cluster:Tls:CaPath"];
        var disabled = configuration["Cluster:Tls:Disabled"] switch
        {
            null or "" => false,
            var value when bool.TryParse(value, out var parsed) => parsed,
            var value => throw new SetupProblem($"Cluster:Tls:Disabled must be true or false, not '{value}'."),
        };
        if (disabled)
        {
            if (!string.IsNullOrEmpty(certificatePath) || !string.IsNullOrEmpty(caPath))
            {
                throw new SetupProblem("Cluster:Tls:Disabled is true but Cluster:Tls certificate settings are given too: remove one or the other.");
            }
            return null;
        }
        if (string.IsNullOrEmpty(certificatePath) && string.IsNullOrEmpty(caPath))
        {
            throw new SetupProblem("Cluster:Mode AdoNet needs the cluster certificate: set Cluster:Tls:CertificatePath, Cluster:Tls:KeyPath and Cluster:Tls:CaPath (docs/operations.md, \"Cluster certificates\"), or Cluster:Tls:Disabled=true only on a network where nobody else reaches the silo port.");
        }
        if (string.IsNullOrEmpty(certificatePath))
        {
            throw new SetupProblem("Cluster:Tls:CertificatePath is not set: this node needs a certificate the cluster CA issued to it.");
        }
        if (string.IsNullOrEmpty(caPath))
        {
            throw new SetupProblem("Cluster:Tls:CaPath is not set: this node needs the cluster CA's certificate to check its peers.");
        }
        return Load(
            Resolve(certificatePath, "Cluster:Tls:CertificatePath", environment),
            string.IsNullOrEmpty(keyPath) ? null : Resolve(keyPath, "Cluster:Tls:KeyPath", environment),
            configuration["Cluster:Tls:CertificatePassword"],
            Resolve(caPath, "Cluster:Tls:CaPath", environment));
    }

    /// Reads the files and checks this node's own certificate as a peer would.
    public static ClusterTls Load(string certificatePath, string? keyPath, string? password, string caPath)
    {
        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(caPath);
        }
        catch (CryptographicException exception)
        {
            throw new SetupProblem($"Cluster:Tls:CaPath {caPath} is not a certificate (PEM or DER): {exception.Message}");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = keyPath is null ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password)
                : string.IsNullOrEmpty(password) ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
        }
        catch (CryptographicException exception)
        {
            authority.Dispose();
            throw new SetupProblem(keyPath is null
                ? $"Cluster:Tls:CertificatePath {certificatePath} is not a PKCS#12 file this password opens; a PEM certificate needs Cluster:Tls:KeyPath too: {exception.Message}"
                : $"Cluster:Tls:CertificatePath {certificatePath} with Cluster:Tls:KeyPath {keyPath} is not a PEM certificate and its private key: {exception.Message}");
        }
        var tls = new ClusterTls(certificate, authority);
        var refusal = !certificate.HasPrivateKey ? "has no private key" : tls.Refusal(certificate);
        if (refusal is not null)
        {
            var message = $"Cluster:Tls:CertificatePath {certificatePath} ({certificate.Subject}) {refusal}; peers would refuse it.";
            tls.Dispose();
            throw new SetupProblem(message);
        }
        return tls;
    }

    /// True when <paramref name="certificate"/> belongs to a member of this cluster.
    public bool IsClusterMember(X509Certificate2 certificate) => Refusal(certificate) is null;

    /// Why <paramref name="certificate"/> is not a member's (null when it is): it must be for server and client
    /// authentication and chain to the cluster CA alone, today. The machine's trust store plays no part, and no
    /// revocation list is asked for (there is none; to shut a node out, make a new CA: docs/operations.md).
    public string? Refusal(X509Certificate2 certificate)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToList();
        if (!usages.Contains(ClusterCertificates.ServerAuthentication.Value) || !usages.Contains(ClusterCertificates.ClientAuthentication.Value))
        {
            return "is not for both server and client authentication";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(certificate))
        {
            var problems = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
            return $"is not a valid certificate of the cluster CA {Authority.Subject} ({string.Join("; ", problems)})";
        }
        // The custom trust store holds our CA alone; saying so again costs nothing and survives a policy change.
        return chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span)
            ? null
            : $"does not lead to the cluster CA {Authority.Subject}";
    }

    /// Every silo connection of <paramref name="silo"/> in and out is TLS with this node's certificate, and the other
    /// side must show a member's certificate (<see cref="Refusal"/>). A connection that fails is closed before a byte
    /// of Orleans' protocol is read.
    public void Apply(ISiloBuilder silo) =>
        silo.UseTls(Certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            // Replaces the system's chain check (it would not know our CA) with ours; host names are not compared.
            options.RemoteCertificateValidation = (certificate, _, _) => IsClusterMember(certificate);
        });

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }

    private static string Resolve(string path, string setting, IHostEnvironment environment)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path);
        return File.Exists(full) ? full : throw new SetupProblem($"{setting}: there is no file {full}.");
    }
}
