using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ECert.Core.Asn1;
using ECert.Core.Issuance;

namespace ECert.Core.Tests;

/// <summary>
/// Subscriber keys arrive as a SubjectPublicKeyInfo (the bureau's file, the REST API) or inside a
/// CSR; the platform's reader accepts encodings RFC 3279 and RFC 5480 do not, and a certificate
/// must never carry them.
/// </summary>
public class SubjectPublicKeyInfoReaderTests
{
    private static readonly byte[] RsaNull = [0x05, 0x00];

    /// <summary>SEQUENCE { SEQUENCE { algorithm, parameters? }, BIT STRING }, written by hand so that each part can be wrong.</summary>
    private static byte[] Spki(string algorithm, byte[]? parameters, byte[] keyBits, int unusedBits = 0)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(algorithm);
                if (parameters is not null) writer.WriteEncodedValue(parameters);
            }
            writer.WriteBitString(keyBits, unusedBits);
        }
        return writer.Encode();
    }

    private static byte[] RsaPublicKey(RSA rsa) => rsa.ExportRSAPublicKey();

    private static byte[] P256Parameters()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(Oids.Secp256r1);
        return writer.Encode();
    }

    private static string Refusal(byte[] spki) =>
        Assert.Throws<ECertException>(() => PublicKeyPolicy.Check(SubjectPublicKeyInfoReader.Read(spki, "publicKey"))).Message;

    private static byte[] CompressedP256(ECDsa key)
    {
        var point = key.ExportParameters(false).Q;
        return Spki(Oids.EcPublicKey, P256Parameters(), [(byte)(0x02 | (point.Y![^1] & 1)), .. point.X!]);
    }

    /// <summary>CertificationRequest (RFC 2986) for CN=applicant with the given key, signed by <paramref name="sign"/>.</summary>
    private static byte[] SignedCsr(byte[] spki, string signatureAlgorithm, Func<byte[], byte[]> sign)
    {
        var info = new AsnWriter(AsnEncodingRules.DER);
        using (info.PushSequence())
        {
            info.WriteInteger(0);
            info.WriteEncodedValue(new X500DistinguishedName("CN=applicant").RawData);
            info.WriteEncodedValue(spki);
            info.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).Dispose();
        }
        var infoDer = info.Encode();
        var csr = new AsnWriter(AsnEncodingRules.DER);
        using (csr.PushSequence())
        {
            csr.WriteEncodedValue(infoDer);
            using (csr.PushSequence())
            {
                csr.WriteObjectIdentifier(signatureAlgorithm);
                if (signatureAlgorithm.StartsWith("1.2.840.113549", StringComparison.Ordinal)) csr.WriteNull();
            }
            csr.WriteBitString(sign(infoDer));
        }
        return csr.Encode();
    }

    [Fact]
    public void WellFormedKeysAreReadAsTheyAre()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var spki in new[] { rsa.ExportSubjectPublicKeyInfo(), ec.ExportSubjectPublicKeyInfo(), Spki(Oids.RsaEncryption, RsaNull, RsaPublicKey(rsa)) })
        {
            var key = SubjectPublicKeyInfoReader.Read(spki, "publicKey");
            PublicKeyPolicy.Check(key);
            Assert.Equal(spki, key.ExportSubjectPublicKeyInfo());
        }
    }

    [Fact]
    public void RsaParametersOtherThanNullAreRefused()
    {
        using var rsa = RSA.Create(2048);
        Assert.Contains("parameters must be NULL", Refusal(Spki(Oids.RsaEncryption, null, RsaPublicKey(rsa))));
        Assert.Contains("parameters must be NULL", Refusal(Spki(Oids.RsaEncryption, [0x04, 0x01, 0x00], RsaPublicKey(rsa))));
    }

    [Fact]
    public void BytesAfterTheRsaPublicKeyAreRefused()
    {
        using var rsa = RSA.Create(2048);
        Assert.Contains("not a DER RSAPublicKey", Refusal(Spki(Oids.RsaEncryption, RsaNull, [.. RsaPublicKey(rsa), 0x05, 0x00])));
    }

    [Fact]
    public void UnusedBitsInTheKeyAreRefused()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecBits = ec.ExportParameters(false).Q;
        var point = (byte[])[0x04, .. ecBits.X!, .. ecBits.Y!];
        point[^1] &= 0xFE; // the unused bit must be zero for the encoder to write it
        Assert.Contains("unused bits", Refusal(Spki(Oids.RsaEncryption, RsaNull, [.. RsaPublicKey(rsa)[..^1], 0x00], unusedBits: 1)));
        Assert.Contains("unused bits", Refusal(Spki(Oids.EcPublicKey, P256Parameters(), point, unusedBits: 1)));
    }

    [Fact]
    public void BytesAfterTheStructureAreRefused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Contains("1 bytes after the SubjectPublicKeyInfo", Refusal([.. ec.ExportSubjectPublicKeyInfo(), 0x00]));
    }

    [Fact]
    public void ACompressedPointIsRefusedByNameInASpkiAndInACsr()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Contains("compressed EC point", Refusal(CompressedP256(ec)));

        // A CSR carrying the compressed key, properly signed: the error names the key, not the proof of possession.
        var csr = SignedCsr(CompressedP256(ec), "1.2.840.10045.4.3.2", info => ec.SignData(info, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var error = Assert.Throws<ECertException>(() => CsrReader.ReadPublicKey(csr));
        Assert.Contains("the CSR's public key is a compressed EC point", error.Message);
    }

    [Fact]
    public void Sha1SignedCsrsAreRefused()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The platform will not make SHA-1 requests any more; older tools still do.
        foreach (var csr in new[]
        {
            SignedCsr(rsa.ExportSubjectPublicKeyInfo(), "1.2.840.113549.1.1.5", info => rsa.SignData(info, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1)),
            SignedCsr(ec.ExportSubjectPublicKeyInfo(), "1.2.840.10045.4.1", info => ec.SignData(info, HashAlgorithmName.SHA1, DSASignatureFormat.Rfc3279DerSequence)),
        })
        {
            var error = Assert.Throws<ECertException>(() => CsrReader.ReadPublicKey(csr));
            Assert.Equal(ErrorKind.PolicyViolation, error.Kind);
            Assert.Contains("SHA-256 or stronger", error.Message);
        }
    }

    [Fact]
    public void APemCsrIsReadOnlyFromItsOwnBlock()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = Convert.ToBase64String(CsrReaderTests.MakeCsr(ec));
        var text = $"-----BEGIN CERTIFICATE REQUEST-----\n!!!\n-----END CERTIFICATE REQUEST-----\n-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n";
        Assert.Contains("PEM armour is damaged", Assert.Throws<ECertException>(() => CsrReader.ReadPublicKey(Encoding.ASCII.GetBytes(text))).Message);
    }
}
