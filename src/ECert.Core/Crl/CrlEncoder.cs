using System.Formats.Asn1;
using ECert.Core.Asn1;
using ECert.Core.Keys;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Core.Crl;

/// <summary>What a CRL says besides its entries.</summary>
public sealed record CrlHeader(
    byte[] IssuerName,
    byte[] AuthorityKeyIdentifier,
    long Number,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    string? PartitionUrl);

/// <summary>
/// Encodes and signs an X.509 v2 CRL (RFC 5280 section 5).
/// <code>
/// TBSCertList ::= SEQUENCE {
///     version              Version OPTIONAL,             -- v2 (1)
///     signature            AlgorithmIdentifier,
///     issuer               Name,
///     thisUpdate           Time,
///     nextUpdate           Time,
///     revokedCertificates  SEQUENCE OF SEQUENCE {
///         userCertificate      CertificateSerialNumber,
///         revocationDate       Time,
///         crlEntryExtensions   Extensions OPTIONAL } OPTIONAL,   -- reasonCode, invalidityDate
///     crlExtensions        [0] EXPLICIT Extensions }     -- authorityKeyIdentifier, cRLNumber,
///                                                        -- issuingDistributionPoint (partitions)
/// </code>
/// </summary>
public static class CrlEncoder
{
    public static byte[] EncodeAndSign(CrlHeader header, IEnumerable<RevokedEntry> entries, SigningKey key, out int entryCount)
    {
        var algorithm = key.SignatureAlgorithmIdentifier;
        var tbs = EncodeTbs(header, entries, algorithm, out entryCount);
        return DerWriting.WrapSigned(tbs, algorithm, key.Sign(tbs));
    }

    public static byte[] EncodeTbs(CrlHeader header, IEnumerable<RevokedEntry> entries, ReadOnlySpan<byte> signatureAlgorithm, out int entryCount)
    {
        entryCount = 0;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteEncodedValue(signatureAlgorithm);
            writer.WriteEncodedValue(header.IssuerName);
            DerWriting.WriteTime(writer, header.ThisUpdate);
            DerWriting.WriteTime(writer, header.NextUpdate);

            var revoked = new AsnWriter(AsnEncodingRules.DER);
            using (revoked.PushSequence())
                foreach (var entry in entries)
                {
                    WriteEntry(revoked, entry);
                    entryCount++;
                }
            // An empty revokedCertificates must be omitted, not encoded empty (RFC 5280 5.1.2.6).
            if (entryCount > 0) revoked.CopyTo(writer);

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (writer.PushSequence())
            {
                DerWriting.WriteExtension(writer, Oids.AuthorityKeyIdentifier, false, EncodeAuthorityKeyIdentifier(header.AuthorityKeyIdentifier));
                var number = new AsnWriter(AsnEncodingRules.DER);
                number.WriteInteger(header.Number);
                DerWriting.WriteExtension(writer, Oids.CrlNumber, false, number.Encode());
                if (header.PartitionUrl is not null)
                    DerWriting.WriteExtension(writer, Oids.IssuingDistributionPoint, true, EncodeIssuingDistributionPoint(header.PartitionUrl));
            }
        }
        return writer.Encode();
    }

    private static void WriteEntry(AsnWriter writer, RevokedEntry entry)
    {
        using (writer.PushSequence())
        {
            DerWriting.WritePositiveInteger(writer, Convert.FromHexString(entry.SerialHex));
            DerWriting.WriteTime(writer, entry.RevokedAt);
            // The reason code is omitted for unspecified (RFC 5280 5.3.1, BR 7.2.2).
            var hasReason = entry.Reason != RevocationReason.Unspecified;
            if (!hasReason && entry.InvalidityDate is null) return;
            using (writer.PushSequence())
            {
                if (hasReason)
                {
                    var reason = new AsnWriter(AsnEncodingRules.DER);
                    reason.WriteEnumeratedValue(entry.Reason);
                    DerWriting.WriteExtension(writer, Oids.CrlReasonCode, false, reason.Encode());
                }
                if (entry.InvalidityDate is { } invalidity)
                {
                    var date = new AsnWriter(AsnEncodingRules.DER);
                    date.WriteGeneralizedTime(DerWriting.TruncateToSeconds(invalidity), omitFractionalSeconds: true);
                    DerWriting.WriteExtension(writer, Oids.InvalidityDate, false, date.Encode());
                }
            }
        }
    }

    /// <summary>AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier OPTIONAL, ... }</summary>
    private static byte[] EncodeAuthorityKeyIdentifier(byte[] keyIdentifier)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
            writer.WriteOctetString(keyIdentifier, new Asn1Tag(TagClass.ContextSpecific, 0));
        return writer.Encode();
    }

    /// <summary>
    /// IssuingDistributionPoint ::= SEQUENCE {
    ///     distributionPoint      [0] DistributionPointName OPTIONAL,  -- fullName [0] GeneralNames: the partition URL
    ///     onlyContainsUserCerts  [1] BOOLEAN DEFAULT FALSE, ... }     -- TRUE: only subscriber certificates
    /// </summary>
    public static byte[] EncodeIssuingDistributionPoint(string url)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                writer.WriteCharacterString(UniversalTagNumber.IA5String, url, new Asn1Tag(TagClass.ContextSpecific, 6));
            writer.WriteBoolean(true, new Asn1Tag(TagClass.ContextSpecific, 1));
        }
        return writer.Encode();
    }
}
