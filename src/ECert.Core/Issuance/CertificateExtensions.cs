using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;

namespace ECert.Core.Issuance;

/// <summary>Builders for the X.509 extensions our certificates carry (RFC 5280 section 4.2).</summary>
public static class CertificateExtensions
{
    public static X509Extension BasicConstraints(bool isCa, int? pathLength = null) =>
        new X509BasicConstraintsExtension(isCa, pathLength.HasValue, pathLength ?? 0, critical: true);

    public static X509Extension KeyUsage(X509KeyUsageFlags usage) => new X509KeyUsageExtension(usage, critical: true);

    public static X509Extension ExtendedKeyUsage(IEnumerable<string> oids)
    {
        var collection = new System.Security.Cryptography.OidCollection();
        foreach (var oid in oids) collection.Add(new System.Security.Cryptography.Oid(oid));
        return new X509EnhancedKeyUsageExtension(collection, critical: false);
    }

    /// <summary>
    /// The SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1), the same bytes as
    /// X509SubjectKeyIdentifierExtension with Sha1, written directly: one per certificate.
    /// </summary>
    public static X509Extension SubjectKeyIdentifier(PublicKey key)
    {
        var value = new byte[2 + 20];
        value[0] = 0x04; // OCTET STRING
        value[1] = 20;
        System.Security.Cryptography.SHA1.HashData(key.EncodedKeyValue.RawData, value.AsSpan(2));
        return new X509Extension(SubjectKeyIdentifierOid, value, critical: false);
    }

    private static readonly System.Security.Cryptography.Oid SubjectKeyIdentifierOid = new(Oids.SubjectKeyIdentifier);

    public static X509Extension AuthorityKeyIdentifier(ReadOnlySpan<byte> issuerKeyIdentifier) =>
        X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuerKeyIdentifier);

    public static X509Extension CrlDistributionPoint(string url) =>
        CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([url], critical: false);

    public static X509Extension AuthorityInformationAccess(string? ocspUrl, string caIssuersUrl) =>
        new X509AuthorityInformationAccessExtension(ocspUrl is null ? null : [ocspUrl], [caIssuersUrl], critical: false);

    /// <summary>id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): relying parties need not check the responder's status.</summary>
    public static X509Extension OcspNoCheck() => new(Oids.OcspNoCheck, [0x05, 0x00], critical: false);

    /// <summary>
    /// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
    /// PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers ... OPTIONAL }
    /// </summary>
    public static X509Extension CertificatePolicies(IEnumerable<string> policyOids)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
            foreach (var oid in policyOids)
                using (writer.PushSequence())
                    writer.WriteObjectIdentifier(oid);
        return new X509Extension(Oids.CertificatePolicies, writer.Encode(), critical: false);
    }
}
