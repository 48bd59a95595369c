using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Ocsp;
using ECert.Core.Status;
using ECert.Core.Stores;
using ECert.Core.Hierarchy;

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
    public void RequestsForAForeignIssuerDoNotReadTheCasEachTime()
    {
        var ca = new TestCa();
        var counting = new CountingCaStore(ca.Stores);
        var responder = new OcspResponder(counting, ca.Stores, ca.Stores, new OcspResponseCache(1 << 20), ca.Responders, ca.Settings.Ocsp, ca.Clock);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = new CertificateRequest("CN=Someone Else's CA", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1));
        var request = OcspWire.Request(foreign, "01");
        var answers = new OcspResponseStatus[400];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => answers[i] = responder.Respond(request).Status);
        Assert.All(answers, status => Assert.Equal(OcspResponseStatus.Unauthorized, status));
        // The first load (by any of the threads that start together), then a reload a second: the run takes well under one.
        Assert.InRange(counting.Lists, 1, 8 + 2);
    }

    private sealed class CountingCaStore(ICaStore inner) : ICaStore
    {
        public int Lists;
        public IReadOnlyList<CaRecord> ListCas() { Interlocked.Increment(ref Lists); return inner.ListCas(); }
        public CaRecord? FindCa(string slug) => inner.FindCa(slug);
        public void AddCa(CaRecord ca) => inner.AddCa(ca);
        public OcspResponderRecord? FindResponder(string caSlug) => inner.FindResponder(caSlug);
        public void SaveResponder(OcspResponderRecord responder) => inner.SaveResponder(responder);
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
    public void NoncesOutsideRfc8954AndRepeatedOrEmptyExtensionsAreMalformed()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        OcspResponseStatus Status(IReadOnlyList<(string, byte[])> extensions) =>
            ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex, extensions)).Status;
        byte[] Wrapped(int length) => [0x04, (byte)length, .. new byte[length]];

        Assert.Equal(OcspResponseStatus.Successful, Status([(Oids.OcspNonce, Wrapped(32))]));
        Assert.Equal(OcspResponseStatus.Successful, Status([(Oids.OcspNonce, Wrapped(1))]));
        Assert.Equal(OcspResponseStatus.Successful, Status([(Oids.OcspNonce, [0x11, .. new byte[31]])])); // raw bytes, 32
        Assert.Equal(OcspResponseStatus.Successful, Status([(Oids.OcspNonce, [0x04, 0x01, 0xAA, 0xBB])])); // raw bytes that start like an OCTET STRING
        Assert.Equal(OcspResponseStatus.MalformedRequest, Status([(Oids.OcspNonce, Wrapped(0))]));
        Assert.Equal(OcspResponseStatus.MalformedRequest, Status([(Oids.OcspNonce, Wrapped(33))]));
        Assert.Equal(OcspResponseStatus.MalformedRequest, Status([(Oids.OcspNonce, [0x11, .. new byte[32]])])); // raw bytes, 33
        Assert.Equal(OcspResponseStatus.MalformedRequest, Status([(Oids.OcspNonce, Wrapped(16)), (Oids.OcspNonce, Wrapped(16))]));
        Assert.Equal(OcspResponseStatus.MalformedRequest, Status([]));

        // RFC 6960 4.4: an unknown extension is ignored, unless it is critical.
        const string Unknown = "1.3.6.1.4.1.99999.1";
        Assert.Equal(OcspResponseStatus.Successful, Status([(Unknown, [0x05, 0x00])]));
        Assert.Equal(OcspResponseStatus.MalformedRequest,
            ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex, [(Unknown, [0x05, 0x00])], critical: new HashSet<string> { Unknown })).Status);
    }

    [Fact]
    public void AnUnknownCriticalExtensionOfOneCertificateIsMalformed()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        // The CertID of an ordinary request, then a request whose single request carries one extension.
        var tbs = new AsnReader(OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex), AsnEncodingRules.DER).ReadSequence().ReadSequence();
        var certId = tbs.ReadSequence().ReadSequence().ReadEncodedValue().ToArray();
        byte[] WithSingleExtension(bool critical)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            using (writer.PushSequence())
            using (writer.PushSequence())
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(certId);
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                using (writer.PushSequence())
                    DerWriting.WriteExtension(writer, "1.3.6.1.4.1.99999.2", critical, [0x05, 0x00]);
            }
            return writer.Encode();
        }
        Assert.Equal(OcspResponseStatus.Successful, ca.Ocsp.Respond(WithSingleExtension(critical: false)).Status);
        Assert.Equal(OcspResponseStatus.MalformedRequest, ca.Ocsp.Respond(WithSingleExtension(critical: true)).Status);
    }

    [Fact]
    public void ASerialOfMoreThanTwentyOctetsIsMalformed()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        Assert.Equal(OcspResponseStatus.MalformedRequest,
            ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, "7F" + new string('0', 40))).Status);
        // Twenty octets with the sign octet in front are a valid serial (unknown here).
        Assert.Equal(OcspResponseStatus.Successful,
            ca.Ocsp.Respond(OcspWire.Request(issued.Issuer.Certificate, "80" + new string('0', 38))).Status);
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
