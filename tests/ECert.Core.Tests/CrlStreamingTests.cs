using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Crl;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Core.Tests;

/// <summary>
/// The streaming CRL encoder writes exactly what the in-memory encoder it replaced wrote (kept
/// below as <see cref="ReferenceEncoding"/>), and signs the streamed hash correctly with every key
/// algorithm.
/// </summary>
public class CrlStreamingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(KeyAlgorithm.Rsa2048)]
    [InlineData(KeyAlgorithm.Rsa3072)]
    [InlineData(KeyAlgorithm.Rsa4096)]
    [InlineData(KeyAlgorithm.P256)]
    [InlineData(KeyAlgorithm.P384)]
    public void StreamedCrlIsTheInMemoryEncodingAndItsSignatureVerifies(KeyAlgorithm algorithm)
    {
        var (key, certificate) = NewIssuer(algorithm);
        var entries = SampleEntries(300);
        var header = Header(certificate, "http://127.0.0.1:8080/crl/personal-g1/3.crl");

        using var scratch = new MemoryStream();
        var crl = CrlEncoder.EncodeAndSign(header, entries, key, scratch);
        var der = crl.ToArray();

        Assert.Equal(300, crl.EntryCount);
        Assert.Equal(der.Length, crl.Length);
        Assert.True(SignatureCheck.IsValid(der, certificate));
        SignatureCheck.RequireValidOverHash(crl.TbsHash, crl.Hash, crl.Signature, certificate);
        Assert.Equal(ReferenceEncoding.EncodeTbs(header, entries, key.SignatureAlgorithmIdentifier), Tbs(der));
        // PKCS#1 v1.5 signatures are deterministic, so there the whole CRL is byte for byte the same.
        if (algorithm is KeyAlgorithm.Rsa2048 or KeyAlgorithm.Rsa3072 or KeyAlgorithm.Rsa4096)
            Assert.Equal(ReferenceEncoding.EncodeAndSign(header, entries, key), der);

        CertificateRevocationListBuilder.Load(der, out var number);
        Assert.Equal(header.Number, (long)number);
        // The reader shows the INTEGER's content octets: a serial with the high bit set has a leading 00.
        Assert.Equal(entries.Select(e => (e.SerialHex, e.Reason == RevocationReason.Unspecified ? (int?)null : (int)e.Reason)),
            CrlReader.Entries(der).Select(e => (e.Serial.StartsWith("00", StringComparison.Ordinal) ? e.Serial[2..] : e.Serial, e.Reason)));
    }

    [Fact]
    public void ACrlWithoutEntriesHasNoRevokedCertificatesField()
    {
        var (key, certificate) = NewIssuer(KeyAlgorithm.P256);
        var header = Header(certificate, null);
        using var scratch = new MemoryStream();
        var der = CrlEncoder.EncodeAndSign(header, [], key, scratch).ToArray();

        var tbs = Tbs(der);
        Assert.Equal(ReferenceEncoding.EncodeTbs(header, [], key.SignatureAlgorithmIdentifier), tbs);
        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        for (var i = 0; i < 5; i++) fields.ReadEncodedValue(); // version, signature, issuer, thisUpdate, nextUpdate
        Assert.Equal(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true), fields.PeekTag());
        Assert.True(SignatureCheck.IsValid(der, certificate));
    }

    [Fact]
    public void TheScratchStreamIsReusedForTheNextCrl()
    {
        var (key, certificate) = NewIssuer(KeyAlgorithm.P256);
        using var scratch = new MemoryStream();
        CrlEncoder.EncodeAndSign(Header(certificate, null), SampleEntries(200), key, scratch);
        var second = CrlEncoder.EncodeAndSign(Header(certificate, null), SampleEntries(3), key, scratch).ToArray();
        Assert.Equal(3, CrlReader.Entries(second).Count);
        Assert.True(SignatureCheck.IsValid(second, certificate));
    }

    /// <summary>
    /// Every shape an entry takes: serials with the high bit set (a leading zero octet) or short,
    /// every reason, with and without an invalidity date, revocation times before and after 2050.
    /// </summary>
    private static List<RevokedEntry> SampleEntries(int count)
    {
        var random = new Random(20261128);
        var reasons = new[]
        {
            RevocationReason.Unspecified, RevocationReason.KeyCompromise, RevocationReason.AffiliationChanged, RevocationReason.Superseded,
            RevocationReason.CessationOfOperation, RevocationReason.CertificateHold, RevocationReason.PrivilegeWithdrawn,
        };
        return Enumerable.Range(0, count).Select(i =>
        {
            var serial = new byte[i % 7 == 0 ? 3 : 16];
            random.NextBytes(serial);
            serial[0] = i % 2 == 0 ? (byte)(serial[0] | 0x80) : (byte)((serial[0] & 0x3F) | 0x40);
            var revokedAt = i % 50 == 0 ? new DateTimeOffset(2051, 1, 2, 3, 4, 5, TimeSpan.Zero) : Now.AddSeconds(-i * 977.3);
            DateTimeOffset? invalidity = i % 3 == 0 ? revokedAt.AddDays(-2).AddMilliseconds(250) : null;
            return new RevokedEntry(Convert.ToHexString(serial), i / 100, revokedAt, reasons[i % reasons.Length], invalidity);
        }).ToList();
    }

    private static CrlHeader Header(X509Certificate2 certificate, string? partitionUrl) =>
        new(certificate.SubjectName.RawData, SHA1.HashData(certificate.PublicKey.EncodedKeyValue.RawData), 4242, Now, Now.AddHours(6), partitionUrl);

    private static (SigningKey Key, X509Certificate2 Certificate) NewIssuer(KeyAlgorithm algorithm)
    {
        var material = algorithm.Generate();
        var key = SigningKey.FromKey("crl-test", material);
        var request = material switch
        {
            RSA rsa => new CertificateRequest("CN=CRL Test CA", rsa, key.Hash, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest("CN=CRL Test CA", ec, key.Hash),
            _ => throw new InvalidOperationException(),
        };
        return (key, request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1)));
    }

    private static byte[] Tbs(byte[] der) =>
        new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue().ToArray();

    /// <summary>The in-memory encoder that ECert used before CRLs were streamed, unchanged.</summary>
    private static class ReferenceEncoding
    {
        public static byte[] EncodeAndSign(CrlHeader header, IEnumerable<RevokedEntry> entries, SigningKey key)
        {
            var algorithm = key.SignatureAlgorithmIdentifier;
            var tbs = EncodeTbs(header, entries, algorithm);
            var writer = new AsnWriter(AsnEncodingRules.DER);
            DerWriting.WriteSigned(writer, tbs, algorithm, key.Sign(tbs));
            return writer.Encode();
        }

        public static byte[] EncodeTbs(CrlHeader header, IEnumerable<RevokedEntry> entries, ReadOnlySpan<byte> signatureAlgorithm)
        {
            var entryCount = 0;
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
                if (entryCount > 0) revoked.CopyTo(writer);

                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                using (writer.PushSequence())
                {
                    var aki = new AsnWriter(AsnEncodingRules.DER);
                    using (aki.PushSequence())
                        aki.WriteOctetString(header.AuthorityKeyIdentifier, new Asn1Tag(TagClass.ContextSpecific, 0));
                    DerWriting.WriteExtension(writer, Oids.AuthorityKeyIdentifier, false, aki.Encode());
                    var number = new AsnWriter(AsnEncodingRules.DER);
                    number.WriteInteger(header.Number);
                    DerWriting.WriteExtension(writer, Oids.CrlNumber, false, number.Encode());
                    if (header.PartitionUrl is not null)
                        DerWriting.WriteExtension(writer, Oids.IssuingDistributionPoint, true, CrlEncoder.EncodeIssuingDistributionPoint(header.PartitionUrl));
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
    }
}
