using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Core.Asn1;

/// <summary>Small DER helpers shared by the certificate, CRL and OCSP encoders.</summary>
public static class DerWriting
{
    /// <summary>
    /// RFC 5280 4.1.2.5: Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }, UTCTime
    /// through 2049, GeneralizedTime from 2050; always whole seconds in UTC.
    /// </summary>
    public static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var utc = TruncateToSeconds(time);
        if (utc.Year < 2050) writer.WriteUtcTime(utc);
        else writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
    }

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }</summary>
    public static void WriteExtension(AsnWriter writer, string oid, bool critical, ReadOnlySpan<byte> value)
    {
        using (writer.PushSequence())
        {
            WriteObjectIdentifier(writer, oid);
            if (critical) writer.WriteBoolean(true);
            writer.WriteOctetString(value);
        }
    }

    /// <summary>
    /// Writes an OID from a cache of its encodings: parsing the dotted form costs big-integer
    /// arithmetic for long arcs (our 2.25.&lt;UUID&gt; policies), and a bulk run writes the same few
    /// OIDs millions of times.
    /// </summary>
    public static void WriteObjectIdentifier(AsnWriter writer, string oid)
    {
        if (!EncodedOids.TryGetValue(oid, out var encoded))
        {
            var single = new AsnWriter(AsnEncodingRules.DER);
            single.WriteObjectIdentifier(oid);
            encoded = single.Encode();
            if (EncodedOids.Count < MaxCachedOids) EncodedOids.TryAdd(oid, encoded);
        }
        writer.WriteEncodedValue(encoded);
    }

    private const int MaxCachedOids = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> EncodedOids = new(StringComparer.Ordinal);

    public static void WriteExtension(AsnWriter writer, X509Extension extension) =>
        WriteExtension(writer, extension.Oid!.Value!, extension.Critical, extension.RawData);

    /// <summary>
    /// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING },
    /// written from the key's parts: <see cref="PublicKey.ExportSubjectPublicKeyInfo"/> gives the
    /// same bytes through a writer and an array of its own, for every certificate encoded.
    /// </summary>
    public static void WriteSubjectPublicKeyInfo(AsnWriter writer, PublicKey key)
    {
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                WriteObjectIdentifier(writer, key.Oid.Value!);
                if (key.EncodedParameters?.RawData is { Length: > 0 } parameters) writer.WriteEncodedValue(parameters);
            }
            writer.WriteBitString(key.EncodedKeyValue.RawData);
        }
    }

    /// <summary>Writes a positive INTEGER from its big-endian unsigned magnitude.</summary>
    public static void WritePositiveInteger(AsnWriter writer, ReadOnlySpan<byte> magnitude) =>
        writer.WriteIntegerUnsigned(magnitude);

    /// <summary>Certificate / CertificateList ::= SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }</summary>
    public static void WriteSigned(AsnWriter writer, ReadOnlySpan<byte> tbs, ReadOnlySpan<byte> signatureAlgorithm, ReadOnlySpan<byte> signature)
    {
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbs);
            writer.WriteEncodedValue(signatureAlgorithm);
            writer.WriteBitString(signature);
        }
    }
}
