using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Settings;
using ECert.Core.Stores;

namespace ECert.Core.Hierarchy;

/// <summary>
/// Delegated OCSP responder certificates (RFC 6960 4.2.2.2): short-lived, EKU id-kp-OCSPSigning,
/// id-pkix-ocsp-nocheck, each with a fresh key, issued by the CA whose certificates it answers for.
/// </summary>
public sealed class ResponderCertificates(ICaStore cas, IKeyStore keys, CaSettings settings, TimeProvider time)
{
    /// <summary>The current responder of a CA, issuing a new one when a third of its life remains.</summary>
    public OcspResponderRecord EnsureCurrent(string caSlug)
    {
        var ca = cas.FindCa(caSlug) ?? throw ECertException.NotFound($"CA '{caSlug}' does not exist");
        var current = cas.FindResponder(caSlug);
        var now = time.GetUtcNow();
        if (current is not null && current.NotAfter - now > (current.NotAfter - current.NotBefore) / 3)
            return current;
        return Issue(ca);
    }

    public SigningKey OpenKey(OcspResponderRecord responder) => keys.GetSigningKey(responder.KeyId);

    public OcspResponderRecord Issue(CaRecord ca)
    {
        var now = DerWriting.TruncateToSeconds(time.GetUtcNow());
        var notAfter = now.AddDays(settings.Ocsp.ResponderCertificateValidityDays).AddSeconds(-1);
        if (notAfter > ca.NotAfter) notAfter = ca.NotAfter;
        var caKey = keys.GetSigningKey(ca.KeyId);
        var key = keys.CreateSigningKey($"ocsp-{ca.Slug}-{now:yyyyMMddHHmmss}", caKey.Algorithm);
        var name = new DistinguishedName().Country("HK").Organization("ECert")
            .Common($"{ca.Certificate.GetNameInfo(X509NameType.SimpleName, false)} OCSP Responder {now:yyyyMMdd}");
        var tbs = new TbsCertificate(SerialNumbers.NewSerial(), ca.Certificate.SubjectName, now, notAfter, name.Build(), key.PublicKey,
        [
            CertificateExtensions.BasicConstraints(isCa: false),
            CertificateExtensions.KeyUsage(X509KeyUsageFlags.DigitalSignature),
            CertificateExtensions.ExtendedKeyUsage([Oids.OcspSigning]),
            CertificateExtensions.SubjectKeyIdentifier(key.PublicKey),
            CertificateExtensions.AuthorityKeyIdentifier(ca.SubjectKeyIdentifier),
            CertificateExtensions.OcspNoCheck(),
        ]);
        var der = tbs.Sign(caKey);
        SignatureCheck.RequireValid(der, ca.Certificate);
        var record = new OcspResponderRecord(ca.Slug, key.KeyId, der, now, notAfter);
        cas.SaveResponder(record);
        return record;
    }
}
