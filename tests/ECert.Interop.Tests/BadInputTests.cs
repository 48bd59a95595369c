using System.Net;

namespace ECert.Interop.Tests;

/// <summary>Every kind of bad input gets a clear error, changes nothing, and the server keeps serving.</summary>
[Collection(EcertServerCollection.Name)]
public class BadInputTests(EcertServerFixture ca)
{
    private readonly Subscribers _subscribers = new(ca);

    private async Task ServerStillServesAsync()
    {
        Assert.True(ca.ServerIsRunning, ca.ServerErrors);
        using var health = await ca.Http.GetAsync($"{ca.BaseUrl}/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static void AssertRefused(ProcessResult result, int exitCode, string message)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("ecert: ", result.Stderr);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task CsrWithABadSignatureIsRefused()
    {
        var (_, csr) = await _subscribers.NewCsrAsync();
        var der = ca.File("tampered.der");
        Assert.Equal(0, (await Tooling.OpensslAsync("req", "-in", csr, "-outform", "DER", "-out", der)).ExitCode);
        var bytes = await File.ReadAllBytesAsync(der);
        bytes[^10] ^= 0xFF; // inside the signature
        await File.WriteAllBytesAsync(der, bytes);
        var result = await ca.EcertAsync("issue", "--profile", "personal", "--csr", der, "--name", "CHAN Tai Man", "--id-number", "A123456(3)", "--out", ca.File("never.pem"));
        AssertRefused(result, 2, "signature does not verify");
        Assert.False(File.Exists(ca.File("never.pem")));
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task A1024BitKeyIsRefused()
    {
        var (_, csr) = await _subscribers.NewCsrAsync("rsa:1024");
        var result = await ca.EcertAsync("issue", "--profile", "personal", "--csr", csr, "--name", "CHAN Tai Man", "--id-number", "A123456(3)", "--out", ca.File("weak.pem"));
        AssertRefused(result, 3, "1024 bits is too weak");
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task AServerCertificateWithoutADnsNameIsRefused()
    {
        var (_, csr) = await _subscribers.NewCsrAsync();
        var result = await ca.EcertAsync("issue", "--profile", "server", "--csr", csr, "--org", "Example Ltd", "--out", ca.File("nodns.pem"));
        AssertRefused(result, 2, "needs at least one --dns name");
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task AWrongIdentityCheckDigitIsRefusedWithoutEchoingTheNumber()
    {
        var (_, csr) = await _subscribers.NewCsrAsync();
        var result = await ca.EcertAsync("issue", "--profile", "personal", "--csr", csr, "--name", "CHAN Tai Man", "--id-number", "A123456(7)", "--out", ca.File("badid.pem"));
        AssertRefused(result, 2, "check digit does not match");
        Assert.DoesNotContain("123456", result.Stderr);
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task AnUnknownSerialIsNotFound()
    {
        foreach (var verb in new[] { "status", "suspend", "resume" })
            AssertRefused(await ca.EcertAsync(verb, "--serial", "4000000000000000000000000000ABCD"), 4, "no certificate with serial 4000000000000000000000000000ABCD");
        AssertRefused(await ca.EcertAsync("revoke", "--serial", "4000000000000000000000000000ABCD", "--reason", "keyCompromise"), 4, "no certificate with serial");
        AssertRefused(await ca.EcertAsync("status", "--serial", "not-hex"), 2, "not a hexadecimal");
        using var repository = await ca.Http.GetAsync($"{ca.BaseUrl}/repository/certificates/4000000000000000000000000000ABCD");
        Assert.Equal(HttpStatusCode.NotFound, repository.StatusCode);
        Assert.Equal("application/problem+json", repository.Content.Headers.ContentType?.MediaType);
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task AnUnknownRevocationReasonNamesTheValidOnes()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        AssertRefused(await ca.EcertAsync("revoke", "--serial", issued.Serial, "--reason", "bored"), 2, "keyCompromise");
        AssertRefused(await ca.EcertAsync("revoke", "--serial", issued.Serial, "--reason", "certificateHold"), 2, "use 'suspend'");
        var status = await ca.EcertAsync("status", "--serial", issued.Serial);
        Assert.StartsWith($"{issued.Serial}\tvalid\t", status.Stdout);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("0\u0082\u00ff\u00ff")]
    public async Task GarbagePostedToOcspGetsMalformedRequest(string body)
    {
        using var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes(body));
        content.Headers.ContentType = new("application/ocsp-request");
        using var response = await ca.Http.PostAsync($"{ca.BaseUrl}/ocsp", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new byte[] { 0x30, 0x03, 0x0A, 0x01, 0x01 }, await response.Content.ReadAsByteArrayAsync());
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task OversizedAndGarbageGetRequestsToOcspGetMalformedRequest()
    {
        using var huge = new ByteArrayContent(new byte[1024 * 1024]);
        using var response = await ca.Http.PostAsync($"{ca.BaseUrl}/ocsp", huge);
        Assert.Equal(new byte[] { 0x30, 0x03, 0x0A, 0x01, 0x01 }, await response.Content.ReadAsByteArrayAsync());
        foreach (var path in new[] { "not-base64!!", "MAA%3D", "%%%" })
        {
            using var get = await ca.Http.GetAsync($"{ca.BaseUrl}/ocsp/{path}");
            Assert.Equal(new byte[] { 0x30, 0x03, 0x0A, 0x01, 0x01 }, await get.Content.ReadAsByteArrayAsync());
        }
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task InitRefusesToOverwriteAnExistingHierarchy()
    {
        var before = await File.ReadAllBytesAsync(Path.Combine(ca.DataFolder, "ecert.db"));
        AssertRefused(await ca.EcertAsync("init", "--base-url", ca.BaseUrl), 5, "refusing to overwrite");
        Assert.Equal(before.Length, new FileInfo(Path.Combine(ca.DataFolder, "ecert.db")).Length);
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task AWrongPassphraseIsAClearError()
    {
        var (_, csr) = await _subscribers.NewCsrAsync();
        var environment = ca.Environment;
        environment["ECERT_KEYSTORE_PASSPHRASE"] = "not the passphrase";
        var result = await Tooling.RunAsync(Tooling.EcertScript,
            ["issue", "--profile", "personal", "--csr", csr, "--name", "CHAN Tai Man", "--id-number", "A123456(3)", "--out", ca.File("nopass.pem")],
            environment, ca.WorkFolder);
        AssertRefused(result, 2, "passphrase is wrong");
    }

    [Theory]
    [InlineData("database", "cannot be used")]
    [InlineData("null-section", "CrlSchedule section is missing or null")]
    [InlineData("unknown-profile", "'sever', which is not a profile")]
    [InlineData("bad-json", "is not valid")]
    [InlineData("missing-database", "ecert.db is missing beside the instance's settings")]
    [InlineData("empty-database", "ecert.db is empty beside the instance's settings")]
    [InlineData("dangling-database", "ecert.db is missing beside the instance's settings")]
    [InlineData("schema-less-database", "ecert.db is not an ECert database")]
    public async Task ADamagedDataFolderIsOneLineNeverAStackTrace(string damage, string expected)
    {
        var folder = ca.File("damaged-" + damage);
        Directory.CreateDirectory(folder);
        var settings = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ca.DataFolder, "ecert.json")))!.AsObject();
        var text = settings.ToJsonString();
        switch (damage)
        {
            case "database":
                await File.WriteAllTextAsync(Path.Combine(folder, "ecert.db"), "this is not a database, just text that fills a page or two");
                break;
            case "null-section":
                settings["CrlSchedule"] = null;
                text = settings.ToJsonString();
                break;
            case "unknown-profile":
                settings["Profiles"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "sever": { "ValidityDays": 10 } }""");
                text = settings.ToJsonString();
                break;
            case "missing-database":
                break;
            case "empty-database":
                await File.WriteAllBytesAsync(Path.Combine(folder, "ecert.db"), []);
                break;
            case "dangling-database":
                File.CreateSymbolicLink(Path.Combine(folder, "ecert.db"), Path.Combine(folder, "nowhere.db"));
                break;
            case "schema-less-database":
                using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "ecert.db")};Pooling=False"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "CREATE TABLE t (x); DROP TABLE t;";
                    command.ExecuteNonQuery();
                }
                break;
            default:
                text = text[..(text.Length / 2)];
                break;
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "ecert.json"), text);
        var result = await ca.EcertAsync("status", "--data", folder, "--serial", "01");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(expected, result.Stderr);
        if (damage is "missing-database" or "empty-database")
            Assert.Equal(damage == "empty-database" ? 0 : -1, File.Exists(Path.Combine(folder, "ecert.db")) ? new FileInfo(Path.Combine(folder, "ecert.db")).Length : -1);
        Assert.False(File.Exists(Path.Combine(folder, "nowhere.db"))); // nothing was created behind a link
    }

    [Fact]
    public async Task NonIsoInvalidityDatesNonAsciiMailAndTlsSuspensionAreRefused()
    {
        var issued = await _subscribers.IssuePersonalAsync();
        AssertRefused(await ca.EcertAsync("revoke", "--serial", issued.Serial, "--reason", "keyCompromise", "--invalidity-date", "1/2/3"), 2, "ISO 8601");
        var (_, csr) = await _subscribers.NewCsrAsync();
        AssertRefused(await ca.EcertAsync("issue", "--profile", "personal", "--csr", csr, "--name", "CHAN Tai Man", "--id-number", "A123456(3)",
            "--email", "tå@example.com", "--out", ca.File("mail.pem")), 2, "is not an e-mail address");
        var server = await _subscribers.IssueAsync("server", ["--org", "Example Ltd", "--dns", "tls.example.com"]);
        AssertRefused(await ca.EcertAsync("suspend", "--serial", server.Serial), 3, "may not be suspended");
        AssertRefused(await ca.EcertAsync("issue", "--profile", "server", "--csr", csr, "--org", "Example Ltd", "--dns", "*.com.hk", "--out", ca.File("w.pem")), 3, "public suffix");
    }

    [Fact]
    public async Task OutputFilesAreCheckedBeforeAnythingIsIssued()
    {
        var issuedBefore = CertificateRows();
        var same = ca.File("same.p12");
        AssertRefused(await ca.EcertAsync("issue", "--profile", "personal-smartid", "--generate-key", "--p12", same,
            "--name", "LEE Siu Fong", "--id-number", "A123456(3)", "--out", same), 2, "the only copy of the generated key");
        var (_, csr) = await _subscribers.NewCsrAsync();
        // A pipe of our own, not /dev/null: were the check gone, the rename would replace what it names.
        var pipe = ca.File("out-" + Guid.NewGuid().ToString("N")[..6] + ".fifo");
        Assert.Equal(0, (await Tooling.RunAsync("mkfifo", [pipe], new Dictionary<string, string>(), Path.GetTempPath())).ExitCode);
        AssertRefused(await ca.EcertAsync("issue", "--profile", "personal", "--csr", csr, "--name", "CHAN Tai Man", "--id-number", "A123456(3)",
            "--out", pipe), 2, "is a device, a pipe or a socket");
        AssertRefused(await ca.EcertAsync("issue", "--profile", "personal", "--csr", csr, "--name", "CHAN Tai Man", "--id-number", "A123456(3)",
            "--out", "/proc/ecert-test.pem"), 2, "cannot write /proc/ecert-test.pem");
        AssertRefused(await ca.EcertAsync("issue", "--profile", "personal", "--csr", "/dev/zero", "--name", "CHAN Tai Man", "--id-number", "A123456(3)",
            "--out", ca.File("zero.pem")), 2, "is a device, a pipe or a socket");
        Assert.Equal(issuedBefore, CertificateRows()); // no serial burned, nothing revoked
        Assert.False(File.Exists("/proc/ecert-test.pem"));

        var locked = ca.File("locked-" + Guid.NewGuid().ToString("N")[..6]);
        AssertRefused(await ca.EcertAsync("init", "--data", locked, "--production", ""), 2, "staff id '' must be");
        Assert.False(Directory.Exists(locked));
    }

    private long CertificateRows()
    {
        var instance = ECert.Server.EcertInstance.Open(ca.DataFolder, () => EcertServerFixture.Passphrase);
        using var connection = instance.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM certificates";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task HandBackFilesThatAreNotCertificatesOrKeysAreNamed()
    {
        var junk = ca.File("junk-" + Guid.NewGuid().ToString("N")[..6] + ".bin");
        await File.WriteAllBytesAsync(junk, [0x30, 0x03, 0x02, 0x01]);
        AssertRefused(await ca.EcertAsync("export", "--out", ca.File("export-" + Guid.NewGuid().ToString("N")[..6]), "--recipient", junk), 2,
            "--recipient is not a certificate");
        AssertRefused(await ca.EcertAsync("import", ca.File("nowhere"), "--recipient", junk, "--recipient-key", junk, "--data", ca.File("import-x")), 2,
            "are not a PEM certificate and its private key");
        AssertRefused(await ca.EcertAsync("export", "--out", ca.File("export-z"), "--recipient", "/dev/zero"), 2, "is a device, a pipe or a socket");
    }

    [Fact]
    public async Task ServeNamesABadOrBusyAddressInOneLine()
    {
        AssertRefused(await ca.EcertAsync("serve", "--urls", "garbage"), 2, "'garbage' is not an address to listen on");
        AssertRefused(await ca.EcertAsync("serve", "--urls", ""), 2, "--urls is empty");
        // The fixture's own server holds this port.
        var busy = await ca.EcertAsync("serve", "--urls", ca.BaseUrl);
        Assert.True(busy.ExitCode == 74, busy.ToString());
        Assert.Equal($"ecert: cannot listen on {ca.BaseUrl}: Failed to bind to address {ca.BaseUrl}: address already in use.", busy.Stderr.Trim());
    }

    [Fact]
    public async Task AMistypedCommandLineGoesToStderr()
    {
        var result = await ca.EcertAsync("revoke", "--serail", "01");
        AssertRefused(result, 2, "Unrecognized command or argument '--serail'");
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.EndsWith("(see ./ecert revoke --help)", result.Stderr.TrimEnd());
        AssertRefused(await ca.EcertAsync("bulk", "issue", "--profile", "personal-smartid", "--in", "a", "--out", "b", "--batch-size", "many"), 2,
            "Cannot parse argument 'many' for option '--batch-size' as a whole number");
        AssertRefused(await ca.EcertAsync("bulk", "revoke", "--in", ca.File("none.txt"), "--reason", "superseded", "--batch-size", "-5"), 2,
            "the batch size must be between 1 and 100000");
    }

    [Fact]
    public async Task UnknownCrlsAndCasAreProblemDocuments()
    {
        foreach (var path in new[] { "/crl/nobody.crl", "/crl/personal-g1/999.crl", "/crl/personal-g1/x.crl", "/ca/nobody.crt" })
        {
            using var response = await ca.Http.GetAsync(ca.BaseUrl + path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        await ServerStillServesAsync();
    }
}
