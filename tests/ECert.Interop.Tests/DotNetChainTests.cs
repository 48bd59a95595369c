using System.Security.Cryptography.X509Certificates;

namespace ECert.Interop.Tests;

/// <summary>The framework's X509Chain, fetching revocation data online from the URLs in the certificates.</summary>
[Collection(EcertServerCollection.Name)]
public class DotNetChainTests(EcertServerFixture ca)
{
    private readonly RelyingParty _relyingParty = new(ca);
    private readonly Subscribers _subscribers = new(ca);

    private static X509Chain OnlineChain(string rootPem)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(RelyingParty.Load(rootPem));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.Online;
        chain.ChainPolicy.RevocationFlag = X509RevocationFlag.EntireChain;
        chain.ChainPolicy.UrlRetrievalTimeout = TimeSpan.FromSeconds(20);
        // The issuing CA is fetched from the leaf's caIssuers URL (AIA) by the chain itself.
        chain.ChainPolicy.DisableCertificateDownloads = false;
        return chain;
    }

    [Fact]
    public async Task ChainValidatesOnlineAndReportsRevocation()
    {
        // Issue both before revoking, and revoke before the chain first fetches anything, so no
        // CRL or OCSP answer cached by the platform predates the revocation.
        var good = await _subscribers.IssuePersonalAsync("CHAN Good");
        var bad = await _subscribers.IssuePersonalAsync("CHAN Revoked");
        Assert.Equal(0, (await ca.EcertAsync("revoke", "--serial", bad.Serial, "--reason", "keyCompromise")).ExitCode);
        Assert.Equal(0, (await ca.EcertAsync("crl")).ExitCode);
        var (_, root) = await _relyingParty.ChainAsync(good.CertificatePem, good.Serial);

        using (var chain = OnlineChain(root))
        using (var leaf = RelyingParty.Load(good.CertificatePem))
        {
            var built = chain.Build(leaf);
            Assert.True(built, string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation}")));
            Assert.Equal(3, chain.ChainElements.Count);
        }

        using (var chain = OnlineChain(root))
        using (var leaf = RelyingParty.Load(bad.CertificatePem))
        {
            Assert.False(chain.Build(leaf));
            Assert.Contains(chain.ChainElements[0].ChainElementStatus, s => s.Status == X509ChainStatusFlags.Revoked);
        }
    }
}
