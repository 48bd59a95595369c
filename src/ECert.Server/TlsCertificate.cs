using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Server;

/// <summary>
/// The server's own TLS certificate for HTTPS listeners: the operator's, from <c>DATA/tls/server.pem</c>
/// and <c>server.key</c>, or else a self-signed loopback certificate made at start (its SHA-256
/// fingerprint is printed on stderr so a client can pin it). Public TLS names are not for loopback,
/// so this is never issued under the public Server profile.
/// </summary>
public static class TlsCertificate
{
    public static X509Certificate2 Load(EcertInstance instance)
    {
        var folder = Path.Combine(instance.Folder, "tls");
        var certificate = Path.Combine(folder, "server.pem");
        var key = Path.Combine(folder, "server.key");
        if (File.Exists(certificate) && File.Exists(key))
        {
            RegularFiles.RefuseSpecial(certificate, "the TLS certificate");
            RegularFiles.RefuseSpecial(key, "the TLS key");
            return Exportable(X509Certificate2.CreateFromPemFile(certificate, key));
        }

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ECert staff API (loopback)", ecdsa, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = instance.Time.GetUtcNow();
        var selfSigned = Exportable(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30)));
        Console.Error.WriteLine($"ecert: HTTPS uses a self-signed loopback certificate, SHA-256 {Convert.ToHexString(SHA256.HashData(selfSigned.RawData))}");
        return selfSigned;
    }

    /// <summary>TLS on Linux wants a certificate whose key came from a PKCS#12.</summary>
    private static X509Certificate2 Exportable(X509Certificate2 certificate)
    {
        using (certificate)
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
