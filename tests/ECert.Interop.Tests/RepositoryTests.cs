using System.Net;
using System.Text.Json;

namespace ECert.Interop.Tests;

[Collection(EcertServerCollection.Name)]
public class RepositoryTests(EcertServerFixture ca)
{
    private readonly Subscribers _subscribers = new(ca);

    [Fact]
    public async Task RepositoryListsTheHierarchyAndServesCertificatesBySerial()
    {
        using var index = JsonDocument.Parse(await ca.Http.GetStringAsync($"{ca.BaseUrl}/repository"));
        var slugs = index.RootElement.GetProperty("certificateAuthorities").EnumerateArray().Select(c => c.GetProperty("slug").GetString()).ToList();
        Assert.Equal(["root-g1", "personal-g1", "organisational-g1", "server-g1"], slugs);

        using var root = await ca.Http.GetAsync($"{ca.BaseUrl}/ca/root-g1.crt");
        Assert.Equal("application/pkix-cert", root.Content.Headers.ContentType?.MediaType);

        var issued = await _subscribers.IssuePersonalAsync();
        using var bySerial = await ca.Http.GetAsync($"{ca.BaseUrl}/repository/certificates/{issued.Serial.ToLowerInvariant()}");
        Assert.Equal(HttpStatusCode.OK, bySerial.StatusCode);
        using var served = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(await bySerial.Content.ReadAsByteArrayAsync());
        Assert.Equal(issued.Serial, served.SerialNumber);

        using var crl = await ca.Http.GetAsync($"{ca.BaseUrl}/crl/personal-g1.crl");
        Assert.Equal("application/pkix-crl", crl.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PartitionsFollowIssuanceAndEachHasItsCrl()
    {
        var partitions = new HashSet<string>();
        for (var i = 0; i < EcertServerFixture.PartitionSize + 1; i++)
        {
            var issued = await _subscribers.IssueAsync("encipherment", ["--org", "Example Ltd", "--org-unit", $"Unit {i}", "--br-number", "12345678"]);
            using var certificate = RelyingParty.Load(issued.CertificatePem);
            partitions.Add(RelyingParty.CrlUrl(certificate));
        }
        Assert.True(partitions.Count >= 2, string.Join(", ", partitions));
        Assert.Equal(0, (await ca.EcertAsync("crl")).ExitCode);
        foreach (var url in partitions)
        {
            using var response = await ca.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task HealthReportsTheCasAndFreshCrls()
    {
        using var health = JsonDocument.Parse(await ca.Http.GetStringAsync($"{ca.BaseUrl}/health"));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(4, health.RootElement.GetProperty("certificateAuthorities").GetInt32());
    }
}
