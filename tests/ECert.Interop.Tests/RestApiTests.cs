using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ECert.Interop.Tests;

/// <summary>The service through the REST API of a running <c>./ecert serve</c>: RFC 7807 errors, OpenAPI.</summary>
[Collection(EcertServerCollection.Name)]
public class RestApiTests(EcertServerFixture ca)
{
    private HttpRequestMessage Request(HttpMethod method, string path, object? body = null, bool authorised = true)
    {
        var request = new HttpRequestMessage(method, ca.BaseUrl + path);
        if (authorised) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EcertServerFixture.ApiKey);
        if (body is string raw) request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body = null, HttpStatusCode? expect = null)
    {
        using var response = await ca.Http.SendAsync(Request(method, path, body));
        var text = await response.Content.ReadAsStringAsync();
        if (expect is { } status) Assert.True(response.StatusCode == status, $"{method} {path}: {(int)response.StatusCode} {text}");
        else Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task<JsonNode> ProblemAsync(HttpMethod method, string path, object? body, HttpStatusCode status, string detail)
    {
        using var response = await ca.Http.SendAsync(Request(method, path, body));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(detail, (string)problem["detail"]!);
        Assert.Equal((int)status, (int)problem["status"]!);
        return problem;
    }

    /// <summary>An outlet open around the clock, so the test passes at any hour, with two officers.</summary>
    private async Task<string> OpenOutletAsync()
    {
        var code = "T" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        string[] days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        await SendAsync(HttpMethod.Put, $"/api/outlets/{code}", new
        {
            code, name = "Test Counter", address = "1 Test Street", district = "Central and Western",
            services = new[] { "personal", "organisational", "payment" }, hours = days.Select(d => $"{d} 00:00-23:59").ToArray(),
        });
        foreach (var officer in new[] { "a", "b" })
            await SendAsync(HttpMethod.Put, $"/api/officers/{code}-{officer}", new { id = $"{code}-{officer}", name = "Officer " + officer, supervisor = false, outlets = new[] { code } });
        return code;
    }

    private static string IdNumber(Random random)
    {
        var prefix = ((char)('A' + random.Next(26))).ToString();
        var digits = random.Next(0, 1_000_000).ToString("D6");
        return $"{prefix}{digits}({ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit(prefix, digits)})";
    }

    [Fact]
    public async Task WithoutTheApiKeyTheApiAnswers401()
    {
        using var response = await ca.Http.SendAsync(Request(HttpMethod.Get, "/api/outlets", authorised: false));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ACounterApplicationBecomesAPublishedCertificateOverHttp()
    {
        var outlet = await OpenOutletAsync();
        var registered = await SendAsync(HttpMethod.Post, "/api/subscribers/persons",
            new { name = "CHAN Siu Ming", idNumber = IdNumber(new Random(1)), certificateEmail = "sm.chan@example.com" }, HttpStatusCode.Created);
        var srn = (string)registered["srn"]!;
        Assert.DoesNotContain("identityHash", registered.ToJsonString());

        var application = await SendAsync(HttpMethod.Post, "/api/applications", new { srn, profile = "personal", channel = "counter" }, HttpStatusCode.Created);
        var id = (string)application["id"]!;
        await SendAsync(HttpMethod.Post, $"/api/applications/{id}/verification", new { officerId = $"{outlet}-a", outletCode = outlet, documentType = "hkid-card", pinEnvelope = "PIN123456" });
        var quote = await SendAsync(HttpMethod.Get, $"/api/applications/{id}/quote");
        var fee = (string)quote["total"]!;
        Assert.Equal("48.00", fee);
        var paid = await SendAsync(HttpMethod.Post, $"/api/applications/{id}/payment",
            new { channel = "counter-cash", amount = fee, officerId = $"{outlet}-a", outletCode = outlet }, HttpStatusCode.Created);
        Assert.StartsWith("R-", (string)paid["payment"]!["receipt"]!);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var issued = await SendAsync(HttpMethod.Post, $"/api/applications/{id}/issuance", new { csr }, HttpStatusCode.Created);
        var serial = (string)issued["serial"]!;
        using (var unpublished = await ca.Http.GetAsync($"{ca.BaseUrl}/repository/certificates/{serial}"))
            Assert.Equal(HttpStatusCode.NotFound, unpublished.StatusCode); // not yet accepted

        // Reading personal data states its purpose, and the read is recorded with it.
        await ProblemAsync(HttpMethod.Get, $"/api/subscribers/{srn}", null, HttpStatusCode.BadRequest, "needs a purpose");
        var read = await SendAsync(HttpMethod.Get, $"/api/subscribers/{srn}?purpose=issuance");
        Assert.Matches(@"^[A-Z]\d{3}\*\*\*\([0-9A]\)$", (string)read["identityMasked"]!);
        var audit = await ca.EcertAsync("audit", "list");
        Assert.Contains($"personal-data.read\t{srn}\t-\tissuance", audit.Stdout);

        var accepted = await SendAsync(HttpMethod.Post, $"/api/applications/{id}/acceptance");
        Assert.Equal("accepted", (string)accepted["state"]!);
        using var published = await ca.Http.GetAsync($"{ca.BaseUrl}/repository/certificates/{serial}");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        using var certificate = X509CertificateLoader.LoadCertificate(await published.Content.ReadAsByteArrayAsync());
        Assert.Contains($"SERIALNUMBER={srn}", certificate.Subject);
    }

    [Fact]
    public async Task TheSameOfficerCannotApproveAndNobodyApprovesTwice()
    {
        var outlet = await OpenOutletAsync();
        var br = new Random().Next(10_000_000, 99_999_999).ToString();
        await SendAsync(HttpMethod.Post, "/api/organisations", new { brNumber = br, name = "Example Holdings Ltd", address = "9 Queen's Road" }, HttpStatusCode.Created);
        var member = await SendAsync(HttpMethod.Post, $"/api/organisations/{br}/members",
            new { kind = "authorised-user", name = "HO Ka Yee", email = "ky.ho@example.com", orgUnit = "Legal" }, HttpStatusCode.Created);
        var application = await SendAsync(HttpMethod.Post, "/api/applications", new { srn = (string)member["srn"]!, profile = "organisational", channel = "counter" }, HttpStatusCode.Created);
        var id = (string)application["id"]!;
        await SendAsync(HttpMethod.Post, $"/api/applications/{id}/verification", new { officerId = $"{outlet}-a", outletCode = outlet, documentType = "br-certificate" });

        await ProblemAsync(HttpMethod.Post, $"/api/applications/{id}/approval", new { officerId = $"{outlet}-a" }, HttpStatusCode.UnprocessableEntity, "a second, different officer");
        await SendAsync(HttpMethod.Post, $"/api/applications/{id}/approval", new { officerId = $"{outlet}-b" });
        await ProblemAsync(HttpMethod.Post, $"/api/applications/{id}/approval", new { officerId = $"{outlet}-b" }, HttpStatusCode.Conflict, "already approved");
    }

    [Fact]
    public async Task BadInputGetsAPreciseProblemAndChangesNothing()
    {
        await ProblemAsync(HttpMethod.Post, "/api/subscribers/persons", new { name = "X", idNumber = "A123456(4)" }, HttpStatusCode.BadRequest, "check digit does not match");
        await ProblemAsync(HttpMethod.Post, "/api/subscribers/persons", "{not json", HttpStatusCode.BadRequest, "invalid start of a property name");
        await ProblemAsync(HttpMethod.Post, "/api/subscribers/persons", new { name = "X", idNumber = "A123456(3)", favouriteColour = "red" }, HttpStatusCode.BadRequest, "'favouriteColour' is not a field");
        await ProblemAsync(HttpMethod.Get, "/api/applications/APP-1999-000001", null, HttpStatusCode.NotFound, "no application");
        await ProblemAsync(HttpMethod.Post, "/api/applications", new { profile = "personal" }, HttpStatusCode.BadRequest, "srn");
        await ProblemAsync(HttpMethod.Get, "/api/reports/revenue?year=99999", null, HttpStatusCode.BadRequest, "year 99999");
        await ProblemAsync(HttpMethod.Get, "/api/payments?from=9999-12-31", null, HttpStatusCode.BadRequest, "year 9999");
        await ProblemAsync(HttpMethod.Get, "/api/applications?state=dreaming", null, HttpStatusCode.BadRequest, "unknown application state");
        await ProblemAsync(HttpMethod.Post, "/api/tariffs", new
        {
            code = "OVERLAP", effectiveFrom = "2025-01-01", effectiveUntil = (string?)null, extraServerFee = "0.00", usbMediumFee = "0.00",
            entries = new[] { new { product = "personal", kind = "first", termYears = 1, fee = "60.00" } },
        }, HttpStatusCode.Conflict, "overlaps");
        var outlet = await OpenOutletAsync();
        var person = await SendAsync(HttpMethod.Post, "/api/subscribers/persons", new { name = "LAU Wai Man", idNumber = IdNumber(new Random(2)) }, HttpStatusCode.Created);
        var application = await SendAsync(HttpMethod.Post, "/api/applications", new { srn = (string)person["srn"]!, profile = "personal" }, HttpStatusCode.Created);
        var id = (string)application["id"]!;
        await SendAsync(HttpMethod.Post, $"/api/applications/{id}/verification", new { officerId = $"{outlet}-a", outletCode = outlet, documentType = "hkid-card" });
        await ProblemAsync(HttpMethod.Post, $"/api/applications/{id}/payment", new { channel = "counter-cash", amount = 48, officerId = $"{outlet}-a", outletCode = outlet },
            HttpStatusCode.BadRequest, "never numbers");
        await ProblemAsync(HttpMethod.Post, $"/api/applications/{id}/payment", new { channel = "counter-cash", amount = "-48.00", officerId = $"{outlet}-a", outletCode = outlet },
            HttpStatusCode.BadRequest, "negative");
        await ProblemAsync(HttpMethod.Post, $"/api/applications/{id}/payment", new { channel = "counter-cash", amount = "48.005", officerId = $"{outlet}-a", outletCode = outlet },
            HttpStatusCode.BadRequest, "fractions of a cent");
        await ProblemAsync(HttpMethod.Post, $"/api/applications/{id}/payment", new { channel = "counter-cash", amount = "\u0664\u0668", officerId = $"{outlet}-a", outletCode = outlet },
            HttpStatusCode.BadRequest, "not an amount");
        await ProblemAsync(HttpMethod.Put, $"/api/officers/{outlet}-z", new { id = $"{outlet}-z", name = "Officer Z", supervisor = false, outlets = new[] { (string?)null } },
            HttpStatusCode.BadRequest, "'outlets' has a null element");
        await ProblemAsync(HttpMethod.Post, "/api/tariffs", new
        {
            code = "NULLS", effectiveFrom = "2031-01-01", effectiveUntil = (string?)null, extraServerFee = "0.00", usbMediumFee = "0.00", entries = new object?[] { null },
        }, HttpStatusCode.BadRequest, "'entries' has a null element");
        await ProblemAsync(HttpMethod.Put, $"/api/outlets/{outlet}", new { code = outlet, name = new string('N', 5_000), address = "1 Test Street", district = "Central and Western" },
            HttpStatusCode.BadRequest, "an outlet's name is 5000 characters; at most 100");
        await ProblemAsync(HttpMethod.Put, $"/api/outlets/{outlet}", new { code = outlet, name = "Test\u202eCounter", address = "1 Test Street", district = "Central and Western" },
            HttpStatusCode.BadRequest, "an outlet's name contains U+202E, an invisible character");
        await ProblemAsync(HttpMethod.Post, $"/api/outlets/{outlet}/closures", new { date = "2031-12-25", reason = new string('R', 5_000) },
            HttpStatusCode.BadRequest, "a closure's reason is 5000 characters; at most 200");
        var unchanged = await SendAsync(HttpMethod.Get, $"/api/applications/{id}");
        Assert.Equal("identity-verified", (string)unchanged["state"]!);
        using var health = await ca.Http.GetAsync($"{ca.BaseUrl}/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheApi()
    {
        using var document = JsonDocument.Parse(await ca.Http.GetStringAsync($"{ca.BaseUrl}/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var expected in new[] { "/api/applications", "/api/applications/{id}/payment", "/api/subscribers/persons", "/api/tariffs/quote", "/api/reports/revenue", "/api/status-requests" })
            Assert.Contains(expected, paths);
        // Errors are documented as problem documents; money is a string.
        var payment = document.RootElement.GetProperty("paths").GetProperty("/api/applications/{id}/payment").GetProperty("post").GetProperty("responses");
        Assert.True(payment.TryGetProperty("409", out var conflict));
        Assert.Contains("application/problem+json", conflict.GetProperty("content").EnumerateObject().Select(c => c.Name));
        Assert.Equal("string", document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Money").GetProperty("type").GetString());
    }
}
