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
    public async Task CrlsAnswerHeadAndRevalidationAndAPartitionHasOneUrl()
    {
        var url = $"{ca.BaseUrl}/crl/personal-g1.crl";
        using var full = await ca.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        var etag = full.Headers.ETag!;

        foreach (var path in new[] { "/crl/personal-g1.crl", "/crl/personal-g1/0.crl", "/ca/root-g1.crt", "/repository", "/health" })
        {
            using var head = await ca.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ca.BaseUrl + path));
            Assert.True(head.StatusCode == HttpStatusCode.OK, $"HEAD {path}: {head.StatusCode}");
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        async Task<HttpResponseMessage> Conditional(Action<HttpRequestMessage> condition)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            condition(request);
            return await ca.Http.SendAsync(request);
        }
        using (var same = await Conditional(r => r.Headers.IfNoneMatch.Add(etag)))
        {
            Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
            Assert.Empty(await same.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, same.Headers.ETag);
        }
        // Not If-Modified-Since: two CRLs of the same second share a Last-Modified.
        using (var since = await Conditional(r => r.Headers.IfModifiedSince = full.Content.Headers.LastModified))
            Assert.Equal(HttpStatusCode.OK, since.StatusCode);
        using (var other = await Conditional(r => r.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"personal-g1-0\""))))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using (var garbage = await Conditional(r => r.Headers.TryAddWithoutValidation("If-Modified-Since", "yesterday-ish")))
            Assert.Equal(HttpStatusCode.OK, garbage.StatusCode);

        foreach (var alias in new[] { "/crl/personal-g1/00.crl", "/crl/personal-g1/+0.crl", "/crl/personal-g1/%200.crl", "/CRL/personal-g1/0.crl",
                     "/crl/personal-g1/0.crl/", "/Crl/personal-g1.crl", "/crl/personal-g1.crl/" })
        {
            using var response = await ca.Http.GetAsync(ca.BaseUrl + alias);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{alias}: {response.StatusCode}");
        }

        var openApi = new HttpRequestMessage(HttpMethod.Get, $"{ca.BaseUrl}/openapi/v1.json");
        openApi.Headers.Host = "attacker.example";
        using var document = await ca.Http.SendAsync(openApi);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        var servers = JsonDocument.Parse(await document.Content.ReadAsStringAsync()).RootElement.GetProperty("servers");
        Assert.Equal(ca.BaseUrl, servers[0].GetProperty("url").GetString()?.TrimEnd('/'));
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
