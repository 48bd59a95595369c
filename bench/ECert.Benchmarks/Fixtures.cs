using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Issuance;
using ECert.Core.Keys;

namespace ECert.Benchmarks;

/// <summary>Keys, a CA certificate and a typical smart-ID-card TBS shared by the benchmarks.</summary>
public static class Fixtures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    public static (SigningKey Key, X509Certificate2 Certificate) Ca(KeyAlgorithm algorithm)
    {
        var key = algorithm.Generate();
        var name = new X500DistinguishedName("CN=ECert Bench Personal CA G1, O=ECert Bench, C=HK");
        CertificateRequest request = key switch
        {
            RSA rsa => new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(name, ec, HashAlgorithmName.SHA256),
            _ => throw new NotSupportedException(),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(CertificateExtensions.CertificatePolicies(["2.5.29.32.0"])); // anyPolicy: any profile's policy passes the linter
        var certificate = request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(10));
        return (SigningKey.FromKey("bench-ca", key), certificate);
    }

    public static PublicKey SubscriberKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    /// <summary>
    /// A Personal-on-smart-ID-card style TBS: the extensions CertificateIssuer.Prepare writes, with
    /// the extended key usages, policy and validity of <paramref name="profile"/> when one is given
    /// (so that it passes the pre-issuance lint).
    /// </summary>
    public static TbsCertificate SmartIdTbs(X509Certificate2 ca, PublicKey subscriberKey, byte[] serial, Core.Profiles.CertificateProfile? profile = null)
    {
        var caKeyId = Convert.FromHexString(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!);
        var extensions = new List<X509Extension>
        {
            CertificateExtensions.BasicConstraints(isCa: false),
            CertificateExtensions.KeyUsage(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation),
            CertificateExtensions.ExtendedKeyUsage(profile?.ExtendedKeyUsageOids ?? ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4"]),
            CertificateExtensions.SubjectKeyIdentifier(subscriberKey),
            CertificateExtensions.AuthorityKeyIdentifier(caKeyId),
            CertificateExtensions.CrlDistributionPoint("http://127.0.0.1:8080/crl/personal-g1/12.crl"),
            CertificateExtensions.AuthorityInformationAccess("http://127.0.0.1:8080/ocsp", "http://127.0.0.1:8080/ca/personal-g1.crt"),
            CertificateExtensions.CertificatePolicies(profile?.PolicyOids ?? ["1.3.6.1.4.1.99999.1.2.1"]),
            new X509SubjectAlternativeNameExtension(SanFor("tm.chan@example.com"), false),
        };
        var subject = new X500DistinguishedName("CN=CHAN Tai Man, SERIALNUMBER=0000123456, OU=Personal e-Cert smart ID, O=ECert Bench, C=HK");
        var notAfter = profile is null ? Now.AddYears(5) : Now.AddDays(profile.ValidityDays).AddSeconds(-1);
        return new TbsCertificate(serial, ca.SubjectName, Now, notAfter, subject, subscriberKey, extensions);
    }

    private static byte[] SanFor(string email)
    {
        var builder = new SubjectAlternativeNameBuilder();
        builder.AddEmailAddress(email);
        return builder.Build().RawData;
    }
}
