using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ECert.Core.Access;

namespace ECert.Interop.Tests;

/// <summary>
/// Every role against every REST endpoint: a role the matrix does not allow gets a 403 problem
/// document (and an audit entry); a role it allows is never refused for its role. The endpoints and
/// the permission each needs are read from the running server's OpenAPI document.
/// </summary>
[Collection(EcertServerCollection.Name)]
public class PermissionMatrixTests(EcertServerFixture ca)
{
    [Fact]
    public async Task EveryRoleAgainstEveryEndpoint()
    {
        var keys = new Dictionary<string, string>();
        foreach (var role in Roles.All)
        {
            var added = await ca.EcertAsync("staff", "add", "--id", $"pm-{role}-{Guid.NewGuid():N}"[..30], "--name", $"Test {role}", "--role", role);
            Assert.True(added.ExitCode == 0, added.ToString());
            keys[role] = added.Stdout.Trim().Split('\t')[2];
        }

        using var document = JsonDocument.Parse(await ca.Http.GetStringAsync($"{ca.BaseUrl}/openapi/v1.json"));
        var operations = new List<(string Method, string Path, string Permission)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.TryGetProperty("x-ecert-permission", out var permission), $"{operation.Name} {path.Name} declares no permission");
                operations.Add((operation.Name.ToUpperInvariant(), path.Name, permission.GetString()!));
            }
        Assert.True(operations.Count >= 40, $"only {operations.Count} operations found");

        var refusals = 0;
        foreach (var (method, path, permission) in operations)
        {
            // Placeholder values: an allowed role may then get 400 or 404, never 401 or 403.
            var url = ca.BaseUrl + System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "X0") + (path.EndsWith("/quote", StringComparison.Ordinal) ? "?product=personal" : "");
            foreach (var role in Roles.All)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys[role]);
                if (method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await ca.Http.SendAsync(request);
                var allowed = Permissions.Allows(role, permission);
                if (allowed)
                    Assert.True(response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized),
                        $"{role} {method} {path} ({permission}) was refused: {(int)response.StatusCode}");
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} {method} {path} ({permission}) got {(int)response.StatusCode}, not 403");
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    refusals++;
                }
            }
        }
        Assert.True(refusals > 100, $"only {refusals} refusals");

        var audit = await ca.EcertAsync("audit", "list");
        var refusedEntries = audit.Stdout.Split('\n').Count(line => line.Contains("\tapi.", StringComparison.Ordinal) && line.Contains("\trefused\tneeds ", StringComparison.Ordinal));
        Assert.True(refusedEntries >= refusals, $"{refusedEntries} audit entries for {refusals} refusals");
    }
}
