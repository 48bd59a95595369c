using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Interop.Tests;

/// <summary>A person signs in to the REST API over HTTPS with a client certificate issued by our own CA.</summary>
public class ClientCertificateTests
{
    [Fact]
    public async Task AStaffMembersCertificateSignsThemInUntilItIsRevoked()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-mtls-" + Guid.NewGuid().ToString("N")[..8]);
        var (http, https) = (Tooling.FreePort(), Tooling.FreePort());
        var environment = new Dictionary<string, string> { ["ECERT_KEYSTORE_PASSPHRASE"] = "mtls", ["ECERT_DATA"] = folder };
        Directory.CreateDirectory(folder);
        Process? server = null;
        try
        {
            async Task<ProcessResult> Ecert(params string[] arguments)
            {
                var result = await Tooling.RunAsync(Tooling.EcertScript, arguments, environment, folder);
                Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)}: {result}");
                return result;
            }
            await Ecert("init", "--base-url", $"http://127.0.0.1:{http}");
            var p12 = Path.Combine(folder, "clerk.p12");
            var issued = await Ecert("issue", "--profile", "organisational", "--generate-key", "--p12", p12, "--name", "LAU Mei Kuen",
                "--org", "ECert Operations Ltd", "--br-number", "87654321", "--out", Path.Combine(folder, "clerk.pem"));
            var serial = issued.Stdout.Trim();
            var pin = System.Text.RegularExpressions.Regex.Match(issued.Stderr, "PIN envelope for [0-9A-F]+: (\\S+)").Groups[1].Value;
            await Ecert("staff", "add", "--id", "clerk-lau", "--name", "LAU Mei Kuen", "--role", "billing-clerk");
            await Ecert("staff", "bind-certificate", "--id", "clerk-lau", "--serial", serial);

            var start = new ProcessStartInfo(Tooling.EcertScript) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "serve", "--urls", $"http://127.0.0.1:{http};https://127.0.0.1:{https}" }) start.ArgumentList.Add(argument);
            foreach (var (name, value) in environment) start.Environment[name] = value;
            server = Process.Start(start)!;
            server.BeginErrorReadLine();
            server.BeginOutputReadLine();

            using var withCertificate = new HttpClientHandler
            {
                ClientCertificateOptions = ClientCertificateOption.Manual,
                // The test trusts the loopback server it started; real clients pin the printed fingerprint.
                ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
            };
            withCertificate.ClientCertificates.Add(X509CertificateLoader.LoadPkcs12FromFile(p12, pin));
            using var client = new HttpClient(withCertificate);
            using var anonymousHandler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var anonymous = new HttpClient(anonymousHandler);
            var payments = $"https://127.0.0.1:{https}/api/payments?from=2026-01-01";
            HttpStatusCode? status = null;
            for (var i = 0; i < 600 && status is null; i++)
            {
                try { status = (await client.GetAsync(payments)).StatusCode; }
                catch (HttpRequestException) { await Task.Delay(100); }
            }
            Assert.Equal(HttpStatusCode.OK, status); // a billing clerk reads payments
            using (var tariff = await client.PostAsync($"https://127.0.0.1:{https}/api/tariffs", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
                Assert.Equal(HttpStatusCode.Forbidden, tariff.StatusCode); // but does not set tariffs
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(payments)).StatusCode);

            await Ecert("revoke", "--serial", serial, "--reason", "affiliationChanged");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(payments)).StatusCode);
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            Directory.Delete(folder, recursive: true);
        }
    }
}
