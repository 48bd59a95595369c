using System.Diagnostics;
using ECert.Core.Ocsp;
using ECert.Core.Status;

namespace ECert.Interop.Tests;

/// <summary>
/// The running responder serves pre-signed, cached answers to RFC 5019 requests (no nonce); a
/// status change made by another process (the CLI) reaches it within a second.
/// </summary>
[Collection(EcertServerCollection.Name)]
public class PresignedOcspInteropTests(EcertServerFixture ca)
{
    private readonly RelyingParty _relyingParty = new(ca);
    private readonly Subscribers _subscribers = new(ca);

    [Fact]
    public async Task ARevocationReachesTheCachedAnswerWithinASecond()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        var (issuer, _) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
        var requestFile = ca.File($"{issued.Serial}.presigned.ocspreq");
        Assert.Equal(0, (await Tooling.OpensslAsync("ocsp", "-issuer", issuer, "-cert", issued.CertificatePem, "-no_nonce", "-reqout", requestFile)).ExitCode);
        var url = $"{ca.BaseUrl}/ocsp/{Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(requestFile)))}";

        // Twice: the second answer comes from the cache, the same bytes.
        var first = await ca.Http.GetByteArrayAsync(url);
        var second = await ca.Http.GetByteArrayAsync(url);
        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(first).CertStatus);
        Assert.Equal(first, second);

        var revoke = await ca.EcertAsync("revoke", "--serial", issued.Serial, "--reason", "keyCompromise");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        var clock = Stopwatch.StartNew();
        (OcspResponseStatus, OcspCertStatus? Status, RevocationReason? Reason, byte[]?) answer;
        do
        {
            answer = OcspWire.Read(await ca.Http.GetByteArrayAsync(url));
            if (answer.Status == OcspCertStatus.Revoked) break;
            await Task.Delay(20);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(3));
        Assert.Equal((OcspCertStatus.Revoked, RevocationReason.KeyCompromise), (answer.Status, answer.Reason));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the revocation reached the responder after {clock.Elapsed.TotalMilliseconds:0} ms");

        // POST of the same request gets the same (re-signed, revoked) answer.
        using var post = await ca.Http.PostAsync($"{ca.BaseUrl}/ocsp",
            new ByteArrayContent(await File.ReadAllBytesAsync(requestFile)) { Headers = { ContentType = new("application/ocsp-request") } });
        Assert.Equal(OcspCertStatus.Revoked, OcspWire.Read(await post.Content.ReadAsByteArrayAsync()).CertStatus);
    }

    [Fact]
    public async Task BulkRevocationReachesOcspAndTheNextCrl()
    {
        var certificates = new[] { await _subscribers.IssuePersonalAsync("BULK One"), await _subscribers.IssuePersonalAsync("BULK Two") };
        var list = ca.File($"incident-{certificates[0].Serial}.txt");
        await File.WriteAllLinesAsync(list, [certificates[0].Serial, "", "not-a-serial", certificates[1].Serial.ToLowerInvariant(), certificates[0].Serial, "4000000000000000000000000000ABCD"]);
        var rejects = list + ".rejects";
        var result = await ca.EcertAsync("bulk", "revoke", "--in", list, "--reason", "keyCompromise", "--rejects", rejects);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("revoked\t2", result.Stdout);
        Assert.Contains("rejected\t3", result.Stdout);
        var rejected = await File.ReadAllLinesAsync(rejects);
        Assert.Equal(3, rejected.Length);
        Assert.Contains("\"line\":3", rejected[0]);
        Assert.Contains("\"line\":5", rejected[1]);
        Assert.Contains("same serial as line 1", rejected[1]);
        Assert.Contains("no certificate with this serial", rejected[2]);

        var clock = Stopwatch.StartNew();
        foreach (var certificate in certificates)
        {
            var (issuer, root) = await _relyingParty.ChainAsync(certificate.CertificatePem, certificate.Serial);
            var ocsp = await Tooling.OpensslAsync("ocsp", "-issuer", issuer, "-cert", certificate.CertificatePem, "-no_nonce", "-url", $"{ca.BaseUrl}/ocsp", "-CAfile", root);
            Assert.Contains(": revoked", ocsp.Stdout);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"OCSP answered after {clock.Elapsed}");

        Assert.Equal(0, (await ca.EcertAsync("crl")).ExitCode);
        foreach (var certificate in certificates)
        {
            var crl = await _relyingParty.CrlAsync(certificate.CertificatePem, $"{certificate.Serial}-bulk.crl");
            var text = await Tooling.OpensslAsync("crl", "-in", crl, "-noout", "-text");
            Assert.Contains($"Serial Number: {certificate.Serial}", text.Stdout);
        }
    }
}
