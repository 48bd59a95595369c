using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Keys;

namespace ECert.Core.Issuance;

/// <summary>
/// A to-be-signed certificate, prepared and linted before any key is used (Boulder's prepare/issue).
/// <code>
/// TBSCertificate ::= SEQUENCE {
///     version         [0] EXPLICIT Version DEFAULT v1,   -- always v3 (2)
///     serialNumber        CertificateSerialNumber,
///     signature           AlgorithmIdentifier,
///     issuer              Name,
///     validity            Validity,                      -- SEQUENCE { notBefore Time, notAfter Time }
///     subject             Name,
///     subjectPublicKeyInfo SubjectPublicKeyInfo,
///     extensions      [3] EXPLICIT Extensions OPTIONAL }
/// </code>
/// </summary>
public sealed record TbsCertificate(
    byte[] Serial,
    X500DistinguishedName Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    X500DistinguishedName Subject,
    PublicKey PublicKey,
    IReadOnlyList<X509Extension> Extensions)
{
    public X509Extension? Find(string oid) => Extensions.FirstOrDefault(e => e.Oid?.Value == oid);

    public byte[] Encode(ReadOnlySpan<byte> signatureAlgorithm)
    {
        // Sized for a subscriber certificate, so the writer does not grow (and copy) on the way.
        var writer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 2048);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                writer.WriteInteger(2);
            DerWriting.WritePositiveInteger(writer, Serial);
            writer.WriteEncodedValue(signatureAlgorithm);
            writer.WriteEncodedValue(Issuer.RawData);
            using (writer.PushSequence())
            {
                DerWriting.WriteTime(writer, NotBefore);
                DerWriting.WriteTime(writer, NotAfter);
            }
            writer.WriteEncodedValue(Subject.RawData);
            writer.WriteEncodedValue(PublicKey.ExportSubjectPublicKeyInfo());
            if (Extensions.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                using (writer.PushSequence())
                    foreach (var extension in Extensions)
                        DerWriting.WriteExtension(writer, extension);
            }
        }
        return writer.Encode();
    }

    /// <summary>Signs with the CA key and returns the DER certificate.</summary>
    public byte[] Sign(SigningKey key)
    {
        var algorithm = key.SignatureAlgorithmIdentifier;
        var tbs = Encode(algorithm);
        return DerWriting.WrapSigned(tbs, algorithm, key.Sign(tbs));
    }
}
