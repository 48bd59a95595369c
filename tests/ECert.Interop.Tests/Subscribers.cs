namespace ECert.Interop.Tests;

/// <summary>Subscribers as they come to the CA: a key and a CSR made with openssl, then ./ecert issue.</summary>
public sealed class Subscribers(EcertServerFixture ca)
{
    private int _counter;

    public sealed record Issued(string Serial, string CertificatePem, string KeyPem);

    public async Task<(string Key, string Csr)> NewCsrAsync(string keySpec = "rsa:2048")
    {
        var n = Interlocked.Increment(ref _counter);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var key = ca.File($"sub-{tag}-{n}.key");
        var csr = ca.File($"sub-{tag}-{n}.csr");
        var args = keySpec.StartsWith("ec:", StringComparison.Ordinal)
            ? new[] { "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:" + keySpec[3..], "-nodes", "-keyout", key, "-subj", "/CN=ignored", "-out", csr }
            : ["req", "-new", "-newkey", keySpec, "-nodes", "-keyout", key, "-subj", "/CN=ignored", "-out", csr];
        var result = await Tooling.OpensslAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (key, csr);
    }

    public async Task<Issued> IssuePersonalAsync(string name = "CHAN Tai Man") =>
        await IssueAsync("personal", ["--name", name, "--id-number", "A123456(3)", "--email", "tm.chan@example.com"]);

    public async Task<Issued> IssueAsync(string profile, string[] subject, string keySpec = "rsa:2048")
    {
        var (key, csr) = await NewCsrAsync(keySpec);
        var pem = Path.ChangeExtension(csr, ".pem");
        var result = await ca.EcertAsync(["issue", "--profile", profile, "--csr", csr, .. subject, "--out", pem]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var serial = result.Stdout.Trim();
        Assert.Matches("^[0-9A-F]{32}$", serial);
        return new Issued(serial, pem, key);
    }
}
