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
    public X509Extension? Find(string oid)
    {
        foreach (var extension in Extensions)
            if (extension.Oid?.Value == oid) return extension;
        return null;
    }

    public byte[] Encode(ReadOnlySpan<byte> signatureAlgorithm)
    {
        var writer = RentWriter();
        Write(writer, signatureAlgorithm);
        return writer.Encode();
    }

    private void Write(AsnWriter writer, ReadOnlySpan<byte> signatureAlgorithm)
    {
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
            DerWriting.WriteSubjectPublicKeyInfo(writer, PublicKey);
            if (Extensions.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                using (writer.PushSequence())
                    foreach (var extension in Extensions)
                        DerWriting.WriteExtension(writer, extension);
            }
        }
    }

    /// <summary>Signs with the CA key and returns the DER certificate.</summary>
    public byte[] Sign(SigningKey key)
    {
        // One writer per thread, reset for each certificate: bulk issuance encodes a million of them
        // on every core, and a fresh writer each time fed the garbage collector more than anything
        // else per certificate.
        var algorithm = key.SignatureAlgorithmIdentifier;
        var writer = RentWriter();
        Write(writer, algorithm);
        var tbs = writer.Encode();
        var signature = key.Sign(tbs);
        writer.Reset();
        DerWriting.WriteSigned(writer, tbs, algorithm, signature);
        return writer.Encode();
    }

    [ThreadStatic] private static AsnWriter? _writer;

    /// <summary>This thread's writer, emptied; sized for a subscriber certificate so it does not grow on the way.</summary>
    private static AsnWriter RentWriter()
    {
        var writer = _writer ??= new AsnWriter(AsnEncodingRules.DER, initialCapacity: 2048);
        writer.Reset();
        return writer;
    }
}
