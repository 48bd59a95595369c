using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Ocsp;
using ECert.Core.Status;

namespace ECert.Core.Tests;

public class OcspTests
{
    [Fact]
    public void StatusFollowsEveryChangeAtTheNextPoll()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var request = OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex);

        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(ca.Ocsp.Respond(request).Der).CertStatus);
        ca.Status.Suspend(issued.SerialHex);
        ca.Presigner.PollChanges();
        Assert.Equal((OcspCertStatus.Revoked, RevocationReason.CertificateHold), Pick(OcspWire.Read(ca.Ocsp.Respond(request).Der)));
        ca.Status.Resume(issued.SerialHex);
        ca.Presigner.PollChanges();
        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(ca.Ocsp.Respond(request).Der).CertStatus);
        ca.Status.Revoke(issued.SerialHex, RevocationReason.KeyCompromise);
        ca.Presigner.PollChanges();
        Assert.Equal((OcspCertStatus.Revoked, RevocationReason.KeyCompromise), Pick(OcspWire.Read(ca.Ocsp.Respond(request).Der)));
    }

    [Fact]
    public void RequestsWithANonceAreSignedLiveWithTheCurrentStatus()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex)).Der).CertStatus);
        ca.Status.Revoke(issued.SerialHex, RevocationReason.KeyCompromise);
        var nonce = new byte[] { 0x04, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        var live = OcspWire.Read(ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex, nonce)).Der);
        Assert.Equal(OcspCertStatus.Revoked, live.CertStatus);
        Assert.Equal(nonce, live.Nonce);
    }

    private static (OcspCertStatus?, RevocationReason?) Pick((OcspResponseStatus, OcspCertStatus? Status, RevocationReason? Reason, byte[]?) r) => (r.Status, r.Reason);

    [Fact]
    public void TheRfc5019RequestEncoderWritesWhatAnIndependentClientWrites()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var encoded = OcspRequest.EncodeSingle(issued.Issuer.Certificate, Convert.FromHexString(issued.SerialHex));
        Assert.Equal(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex), encoded);
        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(ca.Ocsp.Respond(encoded).Der).CertStatus);
    }

    [Fact]
    public void Sha256CertIdsAreAnsweredToo()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var result = ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex, hashOid: Oids.Sha256));
        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(result.Der).CertStatus);
    }

    [Fact]
    public void UnknownSerialOfOurIssuerIsUnknown()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var result = OcspWire.Read(ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, "4000000000000000000000000000ABCD")).Der);
        Assert.Equal((OcspResponseStatus.Successful, OcspCertStatus.Unknown), (result.Status, result.CertStatus));
    }

    [Fact]
    public void ForeignIssuerIsUnauthorized()
    {
        var ca = new TestCa();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = new CertificateRequest("CN=Someone Else's CA", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1));
        var result = ca.Ocsp.Respond(OcspWire.Request(foreign, "01"));
        Assert.Equal(OcspResponseStatus.Unauthorized, result.Status);
        Assert.Equal([0x30, 0x03, 0x0A, 0x01, 0x06], result.Der);
    }

    [Fact]
    public void NonceIsEchoed()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var nonce = RandomNumberGenerator.GetBytes(16);
        Assert.Equal(nonce, OcspWire.Read(ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex, nonce)).Der).Nonce);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("3000")]
    public void GarbageIsAMalformedRequest(string text)
    {
        var ca = new TestCa();
        var bytes = text.All(Uri.IsHexDigit) && text.Length % 2 == 0 ? Convert.FromHexString(text) : System.Text.Encoding.ASCII.GetBytes(text);
        var result = ca.Ocsp.Respond(bytes);
        Assert.Equal(OcspResponseStatus.MalformedRequest, result.Status);
        Assert.Equal([0x30, 0x03, 0x0A, 0x01, 0x01], result.Der);
    }

    [Fact]
    public void TrailingBytesAndOversizedNoncesAreMalformed()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var request = OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex);
        Assert.Equal(OcspResponseStatus.MalformedRequest, ca.Ocsp.Respond([.. request, 0x00]).Status);
        Assert.Equal(OcspResponseStatus.MalformedRequest,
            ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex, new byte[64])).Status);
    }

    [Fact]
    public void ResponderCertificateIsDelegatedAndRenewedBeforeItExpires()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var first = ca.Stores.FindResponder("personal-g1")!;
        using var certificate = X509CertificateLoader.LoadCertificate(first.CertificateDer);
        Assert.NotNull(certificate.Extensions[Oids.OcspNoCheck]);
        var eku = (X509EnhancedKeyUsageExtension)certificate.Extensions[Oids.ExtendedKeyUsage]!;
        Assert.Equal([Oids.OcspSigning], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));

        ca.Clock.Advance(TimeSpan.FromDays(70)); // past two thirds of 90 days
        Assert.Equal(OcspResponseStatus.Successful, ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex)).Status);
        Assert.NotEqual(first.KeyId, ca.Stores.FindResponder("personal-g1")!.KeyId);
    }
}
