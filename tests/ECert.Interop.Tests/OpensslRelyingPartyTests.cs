using System.Diagnostics;

namespace ECert.Interop.Tests;

/// <summary>A relying party with nothing but OpenSSL and the URLs written in the certificate.</summary>
[Collection(EcertServerCollection.Name)]
public class OpensslRelyingPartyTests(EcertServerFixture ca)
{
    private readonly RelyingParty _relyingParty = new(ca);
    private readonly Subscribers _subscribers = new(ca);

    [Fact]
    public async Task CertificateVerifiesWithTheCrlFromItsOwnUrlUntilItIsRevoked()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        var (issuer, root) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
        using (var certificate = RelyingParty.Load(issued.CertificatePem))
            Assert.Matches($"^{ca.BaseUrl}/crl/personal-g1/[0-9]+\\.crl$", RelyingParty.CrlUrl(certificate));

        var crl = await _relyingParty.CrlAsync(issued.CertificatePem, $"{issued.Serial}-before.crl");
        var good = await Tooling.OpensslAsync("verify", "-crl_check", "-CAfile", root, "-untrusted", issuer, "-CRLfile", crl, issued.CertificatePem);
        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Contains(": OK", good.Stdout);

        // The whole chain, with the root's CRL for the issuing CA, from the URL in the issuing CA certificate.
        using var issuerCertificate = RelyingParty.Load(issuer);
        var rootCrl = await _relyingParty.DownloadPemAsync(RelyingParty.CrlUrl(issuerCertificate), "X509 CRL", $"{issued.Serial}-root.crl");
        var chain = await Tooling.OpensslAsync("verify", "-crl_check_all", "-CAfile", root, "-untrusted", issuer, "-CRLfile", crl, "-CRLfile", rootCrl, issued.CertificatePem);
        Assert.True(chain.ExitCode == 0, chain.ToString());

        Assert.Equal(0, (await ca.EcertAsync("revoke", "--serial", issued.Serial, "--reason", "keyCompromise")).ExitCode);
        Assert.Equal(0, (await ca.EcertAsync("crl")).ExitCode);
        var after = await _relyingParty.CrlAsync(issued.CertificatePem, $"{issued.Serial}-after.crl");
        var revoked = await Tooling.OpensslAsync("verify", "-crl_check", "-CAfile", root, "-untrusted", issuer, "-CRLfile", after, issued.CertificatePem);
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.Stdout + revoked.Stderr);

        var text = await Tooling.OpensslAsync("crl", "-in", after, "-noout", "-text");
        Assert.Contains("Key Compromise", text.Stdout);
        Assert.Contains("Issuing Distribution Point", text.Stdout);
        Assert.Contains("Only User Certificates", text.Stdout);
    }

    [Fact]
    public async Task OcspAtTheAiaUrlReportsGoodHoldGoodAndRevokedWithinASecondOfEachChange()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        var (issuer, root) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
        using var certificate = RelyingParty.Load(issued.CertificatePem);
        var url = RelyingParty.OcspUrl(certificate);
        Assert.Equal($"{ca.BaseUrl}/ocsp", url);

        async Task<string> AskAsync()
        {
            var result = await Tooling.OpensslAsync("ocsp", "-issuer", issuer, "-cert", issued.CertificatePem, "-url", url, "-CAfile", root);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Response verify OK", result.Stderr);
            Assert.DoesNotContain("WARNING", result.Stderr + result.Stdout); // e.g. "no nonce in response"
            return result.Stdout;
        }

        async Task<string> ChangeThenAskAsync(params string[] command)
        {
            var change = await ca.EcertAsync(command);
            Assert.True(change.ExitCode == 0, change.ToString());
            var clock = Stopwatch.StartNew();
            var answer = await AskAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"OCSP answered after {clock.Elapsed}");
            return answer;
        }

        Assert.Contains(": good", await AskAsync());

        var held = await ChangeThenAskAsync("suspend", "--serial", issued.Serial);
        Assert.Contains(": revoked", held);
        Assert.Contains("Reason: certificateHold", held);

        Assert.Contains(": good", await ChangeThenAskAsync("resume", "--serial", issued.Serial));

        var revoked = await ChangeThenAskAsync("revoke", "--serial", issued.Serial, "--reason", "superseded");
        Assert.Contains(": revoked", revoked);
        Assert.Contains("Reason: superseded", revoked);
        Assert.Contains("Revocation Time:", revoked);
    }

    [Fact]
    public async Task OcspGetFollowsRfc5019WithCacheHeaders()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        var (issuer, _) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
        var request = ca.File($"{issued.Serial}.ocspreq");
        Assert.Equal(0, (await Tooling.OpensslAsync("ocsp", "-issuer", issuer, "-cert", issued.CertificatePem, "-no_nonce", "-reqout", request)).ExitCode);
        var encoded = Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(request)));
        using var response = await ca.Http.GetAsync($"{ca.BaseUrl}/ocsp/{encoded}");
        Assert.Equal("application/ocsp-response", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age=", response.Headers.CacheControl!.ToString());
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.NotNull(response.Headers.ETag);
        var responseFile = ca.File($"{issued.Serial}.ocspresp");
        await File.WriteAllBytesAsync(responseFile, await response.Content.ReadAsByteArrayAsync());
        var text = await Tooling.OpensslAsync("ocsp", "-respin", responseFile, "-noverify", "-resp_text");
        Assert.Contains("Cert Status: good", text.Stdout);
    }

    [Fact]
    public async Task OcspNamesAnUnknownSerialUnknownAndAForeignIssuerUnauthorized()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        var (issuer, root) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
        var unknown = await Tooling.OpensslAsync("ocsp", "-issuer", issuer, "-serial", "0x4000000000000000000000000000ABCD", "-url", $"{ca.BaseUrl}/ocsp", "-CAfile", root);
        Assert.Contains(": unknown", unknown.Stdout);

        var foreignKey = ca.File("foreign.key");
        var foreign = ca.File("foreign.pem");
        Assert.Equal(0, (await Tooling.OpensslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", foreignKey, "-subj", "/CN=Foreign CA", "-days", "1", "-out", foreign)).ExitCode);
        var unauthorized = await Tooling.OpensslAsync("ocsp", "-issuer", foreign, "-serial", "0x01", "-url", $"{ca.BaseUrl}/ocsp", "-CAfile", root);
        Assert.Contains("unauthorized", unauthorized.Stdout + unauthorized.Stderr);
    }

    [Fact]
    public async Task ServerCertificateVerifiesForTheTlsServerPurpose()
    {
        var issued = await _subscribers.IssueAsync("server", ["--org", "Example Ltd", "--dns", "www.example.com", "--dns", "shop.example.com"], "ec:P-256");
        var (issuer, root) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
        var crl = await _relyingParty.CrlAsync(issued.CertificatePem, $"{issued.Serial}.crl");
        var verify = await Tooling.OpensslAsync("verify", "-purpose", "sslserver", "-verify_hostname", "shop.example.com", "-crl_check",
            "-CAfile", root, "-untrusted", issuer, "-CRLfile", crl, issued.CertificatePem);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var wrongHost = await Tooling.OpensslAsync("verify", "-purpose", "sslserver", "-verify_hostname", "other.example.org",
            "-CAfile", root, "-untrusted", issuer, issued.CertificatePem);
        Assert.NotEqual(0, wrongHost.ExitCode);
    }

    [Fact]
    public async Task CentralKeyGenerationDeliversAPkcs12ThatOpensOnlyWithThePin()
    {
        var keysBefore = Directory.GetFiles(Path.Combine(ca.DataFolder, "keys")).Length;
        var p12 = ca.File("central.p12");
        var pem = ca.File("central.pem");
        var result = await ca.EcertAsync("issue", "--profile", "personal-smartid", "--generate-key", "--p12", p12,
            "--name", "LEE Siu Fong", "--id-number", "A123456(3)", "--out", pem);
        Assert.True(result.ExitCode == 0, result.ToString());
        var serial = result.Stdout.Trim();
        Assert.Matches("^[0-9A-F]{32}$", serial); // stdout carries the serial and nothing else
        var pin = System.Text.RegularExpressions.Regex.Match(result.Stderr, $"PIN envelope for {serial}: ([A-Z0-9-]+)").Groups[1].Value;
        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", pin);
        Assert.Equal(keysBefore, Directory.GetFiles(Path.Combine(ca.DataFolder, "keys")).Length);
        Assert.Equal(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite, File.GetUnixFileMode(p12));

        var opened = await Tooling.OpensslAsync("pkcs12", "-in", p12, "-passin", $"pass:{pin}", "-nodes", "-info");
        Assert.True(opened.ExitCode == 0, opened.ToString());
        Assert.Contains("PRIVATE KEY", opened.Stdout);
        Assert.Contains("CN = LEE Siu Fong", opened.Stdout);
        Assert.Contains("AES-256-CBC", opened.Stderr);
        var wrong = await Tooling.OpensslAsync("pkcs12", "-in", p12, "-passin", "pass:WRONG-PIN1-2345", "-nodes");
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Fact]
    public async Task OrganisationalAndEnciphermentCertificatesChainAndCarryTheOrganisation()
    {
        var user = await _subscribers.IssueAsync("organisational", ["--name", "WONG Siu Ming", "--org", "Example Ltd", "--org-unit", "Finance", "--br-number", "12345678", "--email", "sm.wong@example.com"]);
        var unit = await _subscribers.IssueAsync("encipherment", ["--org", "Example Ltd", "--org-unit", "Procurement Unit", "--br-number", "12345678"]);
        foreach (var issued in new[] { user, unit })
        {
            var (issuer, root) = await _relyingParty.ChainAsync(issued.CertificatePem, issued.Serial);
            var verify = await Tooling.OpensslAsync("verify", "-CAfile", root, "-untrusted", issuer, issued.CertificatePem);
            Assert.True(verify.ExitCode == 0, verify.ToString());
            var subject = await Tooling.OpensslAsync("x509", "-in", issued.CertificatePem, "-noout", "-subject");
            Assert.Contains("O = Example Ltd", subject.Stdout);
            Assert.Contains("NTRHK-12345678", subject.Stdout);
        }
    }
}
