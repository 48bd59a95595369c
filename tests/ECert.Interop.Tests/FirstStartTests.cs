using System.Diagnostics;
using System.Net;

namespace ECert.Interop.Tests;

/// <summary>The README's first command: <c>./ecert serve</c> on an empty folder makes a working CA.</summary>
public class FirstStartTests
{
    [Fact]
    public async Task ServeOnAnEmptyFolderCreatesTheDemoHierarchyAndServesIt()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-first-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var port = Tooling.FreePort();
        var start = new ProcessStartInfo(Tooling.EcertScript)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "serve", "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(argument);
        start.Environment["ECERT_KEYSTORE_PASSPHRASE"] = "first-start";
        start.Environment.Remove("ECERT_DATA");
        using var server = Process.Start(start)!;
        var stdout = new System.Collections.Concurrent.ConcurrentQueue<string>();
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) stdout.Enqueue(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        using var http = new HttpClient();
        try
        {
            HttpStatusCode? status = null;
            for (var i = 0; i < 600 && status != HttpStatusCode.OK; i++)
            {
                Assert.False(server.HasExited, "serve exited on first start");
                try { status = (await http.GetAsync($"http://127.0.0.1:{port}/health")).StatusCode; }
                catch (HttpRequestException) { await Task.Delay(100); }
            }
            Assert.Equal(HttpStatusCode.OK, status);
            // The default data folder is ./ecert-data, created with owner-only permissions.
            Assert.True(File.Exists(Path.Combine(folder, "ecert-data", "ecert.json")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "ecert-data", "ecert.db")));
            // The certificates it will issue point back at this server.
            var root = await http.GetByteArrayAsync($"http://127.0.0.1:{port}/ca/root-g1.crt");
            using var issuing = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(
                await http.GetByteArrayAsync($"http://127.0.0.1:{port}/ca/personal-g1.crt"));
            Assert.Equal($"http://127.0.0.1:{port}/crl/root-g1.crl", RelyingParty.CrlUrl(issuing));
            Assert.NotEmpty(root);
            // stdout carries one line, the command's own result.
            Assert.Equal([$"ecert: serving {Path.Combine(folder, "ecert-data")} on http://127.0.0.1:{port}"], stdout.ToArray());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
