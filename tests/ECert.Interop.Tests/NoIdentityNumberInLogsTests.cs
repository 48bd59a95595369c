using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ECert.Interop.Tests;

/// <summary>The clear identity card number never reaches the logs, even at the most verbose level.</summary>
public class NoIdentityNumberInLogsTests
{
    [Fact]
    public async Task TraceLogsHoldNoIdentityNumber()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-logs-" + Guid.NewGuid().ToString("N")[..8]);
        var port = Tooling.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ECERT_KEYSTORE_PASSPHRASE"] = "logs", ["ECERT_DATA"] = folder, ["ECERT_API_KEY"] = "logs-key",
        };
        var start = new ProcessStartInfo(Tooling.EcertScript) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "serve", "--urls", $"http://127.0.0.1:{port}", "--log-level", "Trace" }) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var logs = new System.Text.StringBuilder();
        using var server = Process.Start(start)!;
        server.ErrorDataReceived += (_, e) => { lock (logs) logs.AppendLine(e.Data); };
        server.OutputDataReceived += (_, e) => { lock (logs) logs.AppendLine(e.Data); };
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        using var http = new HttpClient();
        try
        {
            for (var i = 0; i < 600; i++)
            {
                try { if ((await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode) break; }
                catch (HttpRequestException) { }
                await Task.Delay(100);
            }
            const string number = "K987654(";
            var check = ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit("K", "987654");
            var full = $"{number}{check})";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/subscribers/persons")
            {
                Content = JsonContent.Create(new { name = "TAM Ka Wai", idNumber = full }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "logs-key");
            Assert.True((await http.SendAsync(request)).IsSuccessStatusCode);
            // A wrong check digit too: refusals must not echo the number either.
            using var wrong = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/subscribers/persons")
            {
                Content = JsonContent.Create(new { name = "TAM Ka Wai", idNumber = $"K987654({(check == '1' ? '2' : '1')})" }),
            };
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "logs-key");
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.SendAsync(wrong)).StatusCode);
            await Task.Delay(500);
            string text;
            lock (logs) text = logs.ToString();
            Assert.Contains("Request", text); // Trace logging was really on
            Assert.DoesNotContain("987654", text);
            Assert.DoesNotContain("K987654", text);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
