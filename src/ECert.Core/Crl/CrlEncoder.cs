using System.Buffers;
using System.Formats.Asn1;
using System.Security.Cryptography;
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
/// Encodes and signs an X.509 v2 CRL (RFC 5280 section 5) without holding it in memory: a CRL
/// of a million entries is some 35 MB, and is written entry by entry.
/// <code>
/// CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm, signatureValue BIT STRING }
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
/// DER puts each length before its content, and the signature covers the whole TBSCertList, so:
/// (1) the entries go one at a time into a scratch stream while their bytes are counted;
/// (2) with the length known, the TBSCertList's head (up to the revokedCertificates header) and
/// tail (crlExtensions) are encoded, and head + entries + tail are hashed and the hash signed;
/// (3) <see cref="SignedCrl.WriteTo"/> copies the whole CRL into its destination.
/// </summary>
public static class CrlEncoder
{
    private const int CopyBufferSize = 1 << 18;

    /// <summary>
    /// Encodes <paramref name="entries"/> (read once, in order) into <paramref name="scratch"/> (a
    /// readable and seekable stream whose content is replaced; the caller keeps it open until the
    /// result is written, and may then reuse it for the next CRL) and signs the CRL.
    /// </summary>
    public static SignedCrl EncodeAndSign(CrlHeader header, IEnumerable<RevokedEntry> entries, SigningKey key, Stream scratch)
    {
        var (entryCount, entriesLength) = WriteEntries(entries, scratch);
        var algorithm = key.SignatureAlgorithmIdentifier;
        var (head, tail) = EncodeTbsAround(header, algorithm, entryCount, entriesLength);

        using var hash = IncrementalHash.CreateHash(key.Hash);
        hash.AppendData(head);
        CopyScratch(scratch, entriesLength, hash.AppendData);
        hash.AppendData(tail);
        var tbsHash = hash.GetHashAndReset();
        var signature = key.SignHash(tbsHash);

        var signatureValue = new AsnWriter(AsnEncodingRules.DER);
        signatureValue.WriteEncodedValue(algorithm);
        signatureValue.WriteBitString(signature);
        var trailer = signatureValue.Encode();
        var tbsLength = head.Length + entriesLength + tail.Length;
        var outer = Header(0x30, tbsLength + trailer.Length);
        return new SignedCrl(scratch, entryCount, outer, head, entriesLength, tail, trailer, key.Hash, tbsHash, signature);
    }

    /// <summary>The revokedCertificates' content, one entry after the other; the count and byte length.</summary>
    private static (int Count, long Length) WriteEntries(IEnumerable<RevokedEntry> entries, Stream scratch)
    {
        scratch.SetLength(0);
        var count = 0;
        long length = 0;
        Span<byte> buffer = stackalloc byte[MaxEntryLength];
        foreach (var entry in entries)
        {
            var size = WriteEntry(buffer, entry);
            scratch.Write(buffer[..size]);
            length += size;
            count++;
        }
        return (count, length);
    }

    /// <summary>
    /// The TBSCertList bytes before the entries (its SEQUENCE header, version to nextUpdate, and
    /// the revokedCertificates SEQUENCE header) and after them (crlExtensions).
    /// </summary>
    private static (byte[] Head, byte[] Tail) EncodeTbsAround(CrlHeader header, byte[] signatureAlgorithm, int entryCount, long entriesLength)
    {
        var fields = new AsnWriter(AsnEncodingRules.DER);
        fields.WriteInteger(1);
        fields.WriteEncodedValue(signatureAlgorithm);
        fields.WriteEncodedValue(header.IssuerName);
        DerWriting.WriteTime(fields, header.ThisUpdate);
        DerWriting.WriteTime(fields, header.NextUpdate);
        // An empty revokedCertificates must be omitted, not encoded empty (RFC 5280 5.1.2.6).
        var revokedHeader = entryCount > 0 ? Header(0x30, entriesLength) : [];

        var extensions = new AsnWriter(AsnEncodingRules.DER);
        using (extensions.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
        using (extensions.PushSequence())
        {
            DerWriting.WriteExtension(extensions, Oids.AuthorityKeyIdentifier, false, EncodeAuthorityKeyIdentifier(header.AuthorityKeyIdentifier));
            var number = new AsnWriter(AsnEncodingRules.DER);
            number.WriteInteger(header.Number);
            DerWriting.WriteExtension(extensions, Oids.CrlNumber, false, number.Encode());
            if (header.PartitionUrl is not null)
                DerWriting.WriteExtension(extensions, Oids.IssuingDistributionPoint, true, EncodeIssuingDistributionPoint(header.PartitionUrl));
        }
        var tail = extensions.Encode();

        var fieldBytes = fields.Encode();
        var contentLength = fieldBytes.Length + revokedHeader.Length + entriesLength + tail.Length;
        return ([.. Header(0x30, contentLength), .. fieldBytes, .. revokedHeader], tail);
    }

    /// <summary>A DER tag and definite length (X.690 8.1.3) for content of <paramref name="length"/> bytes.</summary>
    private static byte[] Header(byte tag, long length)
    {
        if (length < 0x80) return [tag, (byte)length];
        var octets = 0;
        for (var rest = length; rest > 0; rest >>= 8) octets++;
        var header = new byte[2 + octets];
        header[0] = tag;
        header[1] = (byte)(0x80 | octets);
        for (var i = 0; i < octets; i++) header[^(i + 1)] = (byte)(length >> (8 * i));
        return header;
    }

    internal static void CopyScratch(Stream scratch, long length, Action<byte[], int, int> sink)
    {
        scratch.Position = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            for (var left = length; left > 0;)
            {
                var read = scratch.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0) throw new EndOfStreamException("the CRL's scratch file is shorter than the entries written into it");
                sink(buffer, 0, read);
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The largest entry: a 21-octet serial (and a leading zero), two times, two extensions.</summary>
    private const int MaxEntryLength = 2 + (2 + 22) + 17 + 2 + 12 + 26;

    /// <summary>
    /// One entry, in DER written directly (a million of them go through here, so no AsnWriter and
    /// no allocation); the same bytes AsnWriter gives, as CrlStreamingTests checks:
    /// <code>
    /// SEQUENCE { userCertificate INTEGER, revocationDate Time,
    ///            crlEntryExtensions SEQUENCE { reasonCode, invalidityDate } OPTIONAL }
    /// </code>
    /// </summary>
    private static int WriteEntry(Span<byte> buffer, RevokedEntry entry)
    {
        Span<byte> serial = stackalloc byte[21];
        if (entry.SerialHex.Length is 0 or > 42 || entry.SerialHex.Length % 2 != 0
            || Convert.FromHexString(entry.SerialHex, serial, out _, out var serialLength) != OperationStatus.Done)
            throw new ECertException(ErrorKind.Internal, $"serial '{entry.SerialHex}' is not 1 to 21 octets of hex");
        serial = serial[..serialLength];
        if (serial.Length > 1 && serial[0] == 0 && serial[1] < 0x80)
            throw new ECertException(ErrorKind.Internal, $"serial '{entry.SerialHex}' has a redundant leading zero octet");

        var at = 2; // the SEQUENCE header, filled in last (the content is always under 128 octets)
        var leadingZero = serial[0] >= 0x80 ? 1 : 0;
        buffer[at++] = 0x02;
        buffer[at++] = (byte)(serial.Length + leadingZero);
        if (leadingZero == 1) buffer[at++] = 0;
        serial.CopyTo(buffer[at..]);
        at += serial.Length;
        at += WriteTime(buffer[at..], entry.RevokedAt);

        // The reason code is omitted for unspecified (RFC 5280 5.3.1, BR 7.2.2).
        var hasReason = entry.Reason != RevocationReason.Unspecified;
        if (hasReason || entry.InvalidityDate is not null)
        {
            var extensionsStart = at;
            at += 2;
            if (hasReason)
            {
                // Extension { id-ce-cRLReasons, OCTET STRING { ENUMERATED reason } }
                ReadOnlySpan<byte> reasonCode = [0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01];
                reasonCode.CopyTo(buffer[at..]);
                at += reasonCode.Length;
                buffer[at++] = (byte)entry.Reason;
            }
            if (entry.InvalidityDate is { } invalidity)
            {
                // Extension { id-ce-invalidityDate, OCTET STRING { GeneralizedTime } }
                ReadOnlySpan<byte> invalidityDate = [0x30, 0x18, 0x06, 0x03, 0x55, 0x1D, 0x18, 0x04, 0x11];
                invalidityDate.CopyTo(buffer[at..]);
                at += invalidityDate.Length;
                at += WriteGeneralizedTime(buffer[at..], DerWriting.TruncateToSeconds(invalidity));
            }
            buffer[extensionsStart] = 0x30;
            buffer[extensionsStart + 1] = (byte)(at - extensionsStart - 2);
        }
        buffer[0] = 0x30;
        buffer[1] = (byte)(at - 2);
        return at;
    }

    /// <summary>As <see cref="DerWriting.WriteTime"/>: UTCTime through 2049, GeneralizedTime from 2050.</summary>
    private static int WriteTime(Span<byte> buffer, DateTimeOffset time)
    {
        var utc = DerWriting.TruncateToSeconds(time);
        if (utc.Year >= 2050) return WriteGeneralizedTime(buffer, utc);
        buffer[0] = 0x17;
        buffer[1] = 13;
        WriteDigits(buffer[2..], utc.Year % 100, 2);
        WriteClock(buffer[4..], utc);
        return 15;
    }

    /// <summary>GeneralizedTime YYYYMMDDHHMMSSZ, whole seconds in UTC.</summary>
    private static int WriteGeneralizedTime(Span<byte> buffer, DateTimeOffset utc)
    {
        buffer[0] = 0x18;
        buffer[1] = 15;
        WriteDigits(buffer[2..], utc.Year, 4);
        WriteClock(buffer[6..], utc);
        return 17;
    }

    /// <summary>MMDDHHMMSSZ</summary>
    private static void WriteClock(Span<byte> buffer, DateTimeOffset utc)
    {
        WriteDigits(buffer, utc.Month, 2);
        WriteDigits(buffer[2..], utc.Day, 2);
        WriteDigits(buffer[4..], utc.Hour, 2);
        WriteDigits(buffer[6..], utc.Minute, 2);
        WriteDigits(buffer[8..], utc.Second, 2);
        buffer[10] = (byte)'Z';
    }

    private static void WriteDigits(Span<byte> buffer, int value, int digits)
    {
        for (var i = digits - 1; i >= 0; i--, value /= 10) buffer[i] = (byte)('0' + value % 10);
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

/// <summary>
/// A signed CRL whose entries still sit in the scratch stream: its <see cref="Length"/> is known
/// before it is written, so a store can reserve exactly that space and fill it with
/// <see cref="WriteTo"/>. <see cref="TbsHash"/> and <see cref="Signature"/> let the caller check the
/// signature without reading the CRL back.
/// </summary>
public sealed class SignedCrl
{
    private readonly Stream _scratch;
    private readonly byte[] _outer, _head, _tail, _trailer;
    private readonly long _entriesLength;

    internal SignedCrl(Stream scratch, int entryCount, byte[] outer, byte[] head, long entriesLength, byte[] tail, byte[] trailer,
        HashAlgorithmName hash, byte[] tbsHash, byte[] signature)
    {
        _scratch = scratch;
        EntryCount = entryCount;
        (_outer, _head, _entriesLength, _tail, _trailer) = (outer, head, entriesLength, tail, trailer);
        Hash = hash;
        TbsHash = tbsHash;
        Signature = signature;
    }

    public int EntryCount { get; }
    public long Length => _outer.Length + _head.Length + _entriesLength + _tail.Length + _trailer.Length;
    public HashAlgorithmName Hash { get; }
    public byte[] TbsHash { get; }
    public byte[] Signature { get; }

    /// <summary>Writes the DER CRL; may be called more than once while the scratch stream is open.</summary>
    public void WriteTo(Stream destination)
    {
        destination.Write(_outer);
        destination.Write(_head);
        CrlEncoder.CopyScratch(_scratch, _entriesLength, destination.Write);
        destination.Write(_tail);
        destination.Write(_trailer);
    }

    /// <summary>The whole CRL in memory, for small CRLs and tests.</summary>
    public byte[] ToArray()
    {
        using var memory = new MemoryStream(checked((int)Length));
        WriteTo(memory);
        return memory.ToArray();
    }
}
