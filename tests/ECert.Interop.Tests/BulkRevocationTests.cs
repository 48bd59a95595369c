using System.Text.Json;
using ECert.Core.Status;
using ECert.Core.Stores;
using ECert.Server;

namespace ECert.Interop.Tests;

/// <summary>
/// <c>./ecert bulk revoke</c> killed with SIGKILL at random moments and run again to the end: every
/// line of the incident list ends with exactly one result (revoked, or rejected with its line
/// number), and every listed certificate ends revoked with the given reason.
/// </summary>
public class BulkRevocationTests
{
    private const string Passphrase = "bulk-revoke-test";
    private const int Certificates = 3000;

    [Fact]
    public async Task KilledAtRandomMomentsAndResumedEveryListedCertificateEndsRevokedOnce()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-bulk-revoke-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        var environment = new Dictionary<string, string> { ["ECERT_KEYSTORE_PASSPHRASE"] = Passphrase, ["ECERT_DATA"] = data };
        Assert.Equal(0, (await Tooling.RunAsync(Tooling.EcertScript, ["init", "--key-algorithm", "p256"], environment, folder)).ExitCode);
        var bureau = Path.Combine(folder, "bureau.jsonl");
        BureauFiles.Write(bureau, Certificates);
        var issued = Path.Combine(folder, "issued.jsonl");
        var issue = await Tooling.RunAsync(Tooling.EcertScript, ["bulk", "issue", "--profile", "personal-smartid", "--in", bureau, "--out", issued], environment, folder, TimeSpan.FromMinutes(3));
        Assert.True(issue.ExitCode == 0, issue.ToString());
        var serials = File.ReadAllLines(issued).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("serial").GetString()!).ToList();

        // The incident list: every serial, with a line that is not a serial, an unknown serial and a repeat among them.
        var lines = serials.ToList();
        lines.Insert(99, "not-a-serial");                          // line 100
        lines.Insert(1499, "01000000000000000000000000ABCDEF");     // line 1500
        lines.Insert(2499, serials[0].ToLowerInvariant());          // line 2500, same as line 1
        var list = Path.Combine(folder, "incident.txt");
        File.WriteAllLines(list, lines);
        var rejects = Path.Combine(folder, "incident.rejects.jsonl");
        // Batches of one line: a transaction (and a sync) a line, so the job runs long enough to be killed.
        string[] arguments = ["bulk", "revoke", "--in", list, "--reason", "keyCompromise", "--rejects", rejects, "--batch-size", "1"];

        var kills = await Tooling.KillRepeatedlyAsync(arguments, environment, folder, new Random(7), kills: 3, fromMs: 600, toMs: 1500);
        var final = await Tooling.RunAsync(Tooling.EcertScript, arguments, environment, folder, TimeSpan.FromMinutes(3));
        Assert.True(final.ExitCode == 0, final.ToString());
        var runs = int.Parse(final.Stdout.Split('\n').Single(l => l.StartsWith("runs\t", StringComparison.Ordinal))[5..]);
        Assert.InRange(runs, 2, kills + 1);
        Assert.Contains($"revoked\t{Certificates}", final.Stdout);
        Assert.Contains("rejected\t3", final.Stdout);

        // Exactly the three bad lines are rejected, once each, with their reasons.
        var rejected = File.ReadAllLines(rejects).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([100, 1500, 2500], rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Contains("not a hexadecimal certificate serial", rejected[0].GetProperty("error").GetString());
        Assert.Contains("no certificate with this serial", rejected[1].GetProperty("error").GetString());
        // Line 1 was revoked in an earlier batch, perhaps by an earlier run: either way line 2500 changes nothing.
        Assert.Matches("same serial as line 1|already revoked", rejected[2].GetProperty("error").GetString());

        // Every listed certificate is revoked, for the reason given, with one status change each.
        var instance = EcertInstance.Open(data, () => Passphrase);
        foreach (var serial in serials)
        {
            var record = instance.Certificates.FindCertificate(serial)!;
            Assert.Equal((CertificateState.Revoked, RevocationReason.KeyCompromise), (record.State, record.Reason));
        }
        using (var connection = instance.Database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT serial) FROM status_history WHERE to_state = 'revoked'";
            using var reader = command.ExecuteReader();
            reader.Read();
            Assert.Equal((Certificates, Certificates), (reader.GetInt32(0), reader.GetInt32(1)));
        }

        // The same command again does nothing: the job is complete.
        var again = await Tooling.RunAsync(Tooling.EcertScript, arguments, environment, folder);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(3, File.ReadAllLines(rejects).Length);

        // The same names over a rewritten list are refused, not answered with the old summary.
        File.AppendAllLines(list, ["02000000000000000000000000ABCDEF"]);
        var rewritten = await Tooling.RunAsync(Tooling.EcertScript, arguments, environment, folder);
        Assert.True(rewritten.ExitCode == 5 && rewritten.Stderr.Contains("changed since bulk job", StringComparison.Ordinal), rewritten.ToString());
        Assert.Equal("", rewritten.Stdout);

        // Bad command lines change nothing: no job is started, no certificate touched.
        var jobs = BulkJobCount(instance);
        var elsewhere = Path.Combine(folder, "elsewhere.rejects.jsonl");
        foreach (var (bad, expected) in new (string[], string)[]
        {
            (["bulk", "revoke", "--in", "/dev/zero", "--reason", "superseded", "--rejects", elsewhere], "is a device, a pipe or a socket"),
            (["bulk", "revoke", "--in", list, "--reason", "superseded", "--rejects", "/dev/null"], "is a device, a pipe or a socket"),
            (["bulk", "revoke", "--in", list, "--reason", "-1", "--rejects", elsewhere], "unknown revocation reason '-1'"),
            (["bulk", "revoke", "--in", list, "--reason", "superseded", "--rejects", folder], "is a directory"),
            (["bulk", "revoke", "--in", "", "--reason", "superseded", "--rejects", elsewhere], "need names"),
            (["bulk", "revoke", "--in", list, "--reason", "superseded", "--rejects", "/proc/ecert-rejects.jsonl"], "cannot write"),
        })
        {
            var refused = await Tooling.RunAsync(Tooling.EcertScript, bad, environment, folder, TimeSpan.FromSeconds(60));
            Assert.True(refused.ExitCode == 2 && refused.Stderr.Contains(expected, StringComparison.Ordinal), refused.ToString());
        }
        Assert.Equal(jobs, BulkJobCount(instance));
    }

    private static long BulkJobCount(EcertInstance instance)
    {
        using var connection = instance.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM bulk_jobs";
        return (long)command.ExecuteScalar()!;
    }
}
