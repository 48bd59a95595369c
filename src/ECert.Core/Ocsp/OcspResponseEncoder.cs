using System.Formats.Asn1;
using ECert.Core.Asn1;
using ECert.Core.Keys;
using ECert.Core.Status;

namespace ECert.Core.Ocsp;

/// <summary>OCSPResponseStatus (RFC 6960 4.2.1).</summary>
public enum OcspResponseStatus
{
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

public enum OcspCertStatus { Good, Revoked, Unknown }

/// <summary>The status of one certificate as the responder states it.</summary>
public sealed record OcspSingleAnswer(
    OcspCertId CertId,
    OcspCertStatus Status,
    DateTimeOffset? RevokedAt,
    RevocationReason? Reason,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate);

/// <summary>
/// Encodes OCSP responses (RFC 6960 4.2.1).
/// <code>
/// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
/// ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
/// BasicOCSPResponse ::= SEQUENCE {
///     tbsResponseData ResponseData, signatureAlgorithm AlgorithmIdentifier,
///     signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ResponseData ::= SEQUENCE {
///     version [0] EXPLICIT Version DEFAULT v1,
///     responderID ResponderID,                     -- byKey [2] EXPLICIT KeyHash (SHA-1 of the key bits)
///     producedAt GeneralizedTime,
///     responses SEQUENCE OF SingleResponse,
///     responseExtensions [1] EXPLICIT Extensions OPTIONAL }    -- the nonce, echoed
/// SingleResponse ::= SEQUENCE {
///     certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
///     nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
/// CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL }
/// RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
/// </code>
/// </summary>
public static class OcspResponseEncoder
{
    /// <summary>An unsigned error response: just the status.</summary>
    public static byte[] Error(OcspResponseStatus status)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
            writer.WriteEnumeratedValue(status);
        return writer.Encode();
    }

    public static byte[] Successful(
        IReadOnlyList<OcspSingleAnswer> answers,
        byte[] responderKeyHash,
        DateTimeOffset producedAt,
        byte[]? nonceExtensionValue,
        SigningKey responderKey,
        byte[] responderCertificate)
    {
        var tbs = EncodeResponseData(answers, responderKeyHash, producedAt, nonceExtensionValue);
        var algorithm = responderKey.SignatureAlgorithmIdentifier;
        var signature = responderKey.Sign(tbs);

        var basic = new AsnWriter(AsnEncodingRules.DER);
        using (basic.PushSequence())
        {
            basic.WriteEncodedValue(tbs);
            basic.WriteEncodedValue(algorithm);
            basic.WriteBitString(signature);
            using (basic.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (basic.PushSequence())
                basic.WriteEncodedValue(responderCertificate);
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEnumeratedValue(OcspResponseStatus.Successful);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.OcspBasic);
                writer.WriteOctetString(basic.Encode());
            }
        }
        return writer.Encode();
    }

    private static byte[] EncodeResponseData(IReadOnlyList<OcspSingleAnswer> answers, byte[] responderKeyHash, DateTimeOffset producedAt, byte[]? nonce)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                writer.WriteOctetString(responderKeyHash);
            writer.WriteGeneralizedTime(DerWriting.TruncateToSeconds(producedAt), omitFractionalSeconds: true);
            using (writer.PushSequence())
                foreach (var answer in answers)
                    WriteSingleResponse(writer, answer);
            if (nonce is not null)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                using (writer.PushSequence())
                    DerWriting.WriteExtension(writer, Oids.OcspNonce, false, nonce);
            }
        }
        return writer.Encode();
    }

    private static void WriteSingleResponse(AsnWriter writer, OcspSingleAnswer answer)
    {
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(answer.CertId.Encoded);
            switch (answer.Status)
            {
                case OcspCertStatus.Good:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 0));
                    break;
                case OcspCertStatus.Revoked:
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                    {
                        writer.WriteGeneralizedTime(DerWriting.TruncateToSeconds(answer.RevokedAt!.Value), omitFractionalSeconds: true);
                        if (answer.Reason is { } reason and not RevocationReason.Unspecified)
                            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                                writer.WriteEnumeratedValue(reason);
                    }
                    break;
                default:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 2));
                    break;
            }
            writer.WriteGeneralizedTime(DerWriting.TruncateToSeconds(answer.ThisUpdate), omitFractionalSeconds: true);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                writer.WriteGeneralizedTime(DerWriting.TruncateToSeconds(answer.NextUpdate), omitFractionalSeconds: true);
        }
    }
}
