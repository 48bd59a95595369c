using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ECert.Core;
using ECert.Core.Issuance;

namespace ECert.Core.Tests;

public class CsrReaderTests
{
    internal static byte[] MakeCsr(AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedName("CN=applicant");
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("key"),
        };
        return request.CreateSigningRequest();
    }

    [Fact]
    public void DerAndPemRequestsYieldTheirPublicKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = MakeCsr(key);
        var pem = Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE REQUEST", der));
        var expected = key.ExportSubjectPublicKeyInfo();
        Assert.Equal(expected, CsrReader.ReadPublicKey(der).ExportSubjectPublicKeyInfo());
        Assert.Equal(expected, CsrReader.ReadPublicKey(pem).ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void ATamperedSignatureFailsProofOfPossession()
    {
        using var key = RSA.Create(2048);
        var der = MakeCsr(key);
        der[^5] ^= 0x01; // inside the signature BIT STRING
        var error = Assert.Throws<ECertException>(() => CsrReader.ReadPublicKey(der));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("signature does not verify", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, CA")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nnot base64!\n-----END CERTIFICATE REQUEST-----\n")]
    public void GarbageIsRefusedWithAClearMessage(string text)
    {
        var error = Assert.Throws<ECertException>(() => CsrReader.ReadPublicKey(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("CSR", error.Message);
    }

    [Fact]
    public void TruncatedDerIsRefused()
    {
        using var key = RSA.Create(2048);
        var der = MakeCsr(key);
        var error = Assert.Throws<ECertException>(() => CsrReader.ReadPublicKey(der[..(der.Length / 2)]));
        Assert.Contains("not a valid PKCS#10", error.Message);
    }
}
