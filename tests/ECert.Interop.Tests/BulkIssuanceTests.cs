using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ECert.Core.Issuance;
using ECert.Core.Stores;
using ECert.Server;

namespace ECert.Interop.Tests;

/// <summary>
/// <c>./ecert bulk issue</c> as the bureau's operator runs it: killed with SIGKILL at random
/// moments several times, then run to the end with the same arguments. Every input record must end
/// with exactly one result (a certificate or a reject), none twice, none lost, no serial reused.
/// </summary>
public class BulkIssuanceTests
{
    private const string Passphrase = "bulk-test";
    private const int Records = 6000;

    private static readonly Dictionary<int, string> BadLines = new()
    {
        [17] = "{\"cardNumber\": \"HK-BAD-JSON\"",
        [1234] = "{\"cardNumber\":\"HK-CHECK\",\"name\":\"WONG\",\"idNumber\":\"A123456(4)\",\"publicKey\":\"MFkw\"}",
        [3001] = "",
        [4500] = "{\"cardNumber\":\"HK-FIELD\",\"name\":\"WONG\",\"idNumber\":\"A123456(3)\",\"publicKey\":\"MFkw\",\"colour\":\"red\"}",
        [5999] = "[1, 2, 3]",
    };

    /// <summary>Valid records naming a card an earlier line already has: in the same batch, and far later (after the kills, from the store).</summary>
    private static readonly Dictionary<int, int> RepeatedCards = new() { [21] = 20, [5100] = 30 };

    [Fact]
    public async Task KilledAtRandomMomentsAndResumedEveryRecordEndsWithExactlyOneResult()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-bulk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        var environment = new Dictionary<string, string> { ["ECERT_KEYSTORE_PASSPHRASE"] = Passphrase, ["ECERT_DATA"] = data };
        var init = await Tooling.RunAsync(Tooling.EcertScript, ["init"], environment, folder);
        Assert.True(init.ExitCode == 0, init.ToString());
        var input = Path.Combine(folder, "bureau.jsonl");
        var output = Path.Combine(folder, "certificates.jsonl");
        var rejects = Path.Combine(folder, "rejects.jsonl");
        BureauFiles.Write(input, Records, BadLines, RepeatedCards);
        string[] arguments = ["bulk", "issue", "--profile", "personal-smartid", "--in", input, "--out", output, "--rejects", rejects, "--batch-size", "200"];

        var kills = await Tooling.KillRepeatedlyAsync(arguments, environment, folder, new Random(5), kills: 4, fromMs: 700, toMs: 1800);
        var final = await Tooling.RunAsync(Tooling.EcertScript, arguments, environment, folder, TimeSpan.FromMinutes(5));
        Assert.True(final.ExitCode == 0, final.ToString());
        // At least one kill landed inside the job (a kill during start-up, before the job exists, is not a run).
        var runs = int.Parse(final.Stdout.Split('\n').Single(l => l.StartsWith("runs\t", StringComparison.Ordinal))[5..]);
        Assert.InRange(runs, 2, kills + 1);

        var issued = File.ReadAllLines(output).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var rejected = File.ReadAllLines(rejects).Select(line => JsonDocument.Parse(line).RootElement).ToList();

        // Every record line is either issued (in input order) or rejected with its line number; line 3001 is blank.
        // A card number repeated in the file gets no second certificate.
        var expectedIssued = Enumerable.Range(1, Records).Where(line => !BadLines.ContainsKey(line) && !RepeatedCards.ContainsKey(line)).Select(BureauFiles.CardNumber).ToList();
        Assert.Equal(expectedIssued, issued.Select(e => e.GetProperty("cardNumber").GetString()!).ToList());
        Assert.Equal(BadLines.Keys.Where(l => BadLines[l].Length > 0).Concat(RepeatedCards.Keys).Order().ToList(), rejected.Select(e => e.GetProperty("line").GetInt32()).ToList());
        string Error(int line) => rejected.Single(e => e.GetProperty("line").GetInt32() == line).GetProperty("error").GetString()!;
        Assert.Contains("not valid JSON", Error(17));
        Assert.Contains("check digit", Error(1234));
        Assert.Contains("unknown field 'colour'", Error(4500));
        foreach (var (line, first) in RepeatedCards)
        {
            Assert.Equal($"card number {BureauFiles.CardNumber(first)} is already in this job, at line {first}: a card gets one certificate", Error(line));
            Assert.Equal(BureauFiles.CardNumber(first), rejected.Single(e => e.GetProperty("line").GetInt32() == line).GetProperty("cardNumber").GetString());
        }

        // Serials are unique; each certificate is the stored one, valid, signed by the issuing CA, with the record's name.
        var serials = issued.Select(e => e.GetProperty("serial").GetString()!).ToList();
        Assert.Equal(serials.Count, serials.Distinct().Count());
        var instance = EcertInstance.Open(data, () => Passphrase);
        var ca = instance.Cas.FindCa("personal-g1")!;
        for (var i = 0; i < issued.Count; i++)
        {
            var der = issued[i].GetProperty("certificate").GetBytesFromBase64();
            var record = instance.Certificates.FindCertificate(serials[i])!;
            Assert.Equal(CertificateState.Valid, record.State);
            Assert.Equal(der, record.Der);
            if (i % 500 != 0) continue;
            var certificate = X509CertificateLoader.LoadCertificate(der);
            Assert.Equal(serials[i], certificate.SerialNumber);
            Assert.Contains($"CN=CHAN Tai Man {expectedIssued[i][2..].TrimStart('0')}", certificate.Subject);
            Assert.True(SignatureCheck.IsValid(der, ca.Certificate));
        }

        // Serials reserved by the killed runs were abandoned, never issued: none appears in the output.
        var abandoned = AbandonedSerials(instance);
        Assert.Empty(abandoned.Intersect(serials));
        Assert.Equal(issued.Count, CountValidFromBulk(instance));

        // The same command again does nothing: the job is complete.
        var again = await Tooling.RunAsync(Tooling.EcertScript, arguments, environment, folder);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("issued-this-run\t0", again.Stdout);
        Assert.Equal(issued.Count, File.ReadAllLines(output).Length);
    }

    [Fact]
    public async Task ANewJobRefusesToOverwriteAnExistingOutputFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-bulk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var environment = new Dictionary<string, string> { ["ECERT_KEYSTORE_PASSPHRASE"] = Passphrase, ["ECERT_DATA"] = Path.Combine(folder, "data") };
        Assert.Equal(0, (await Tooling.RunAsync(Tooling.EcertScript, ["init", "--key-algorithm", "p256"], environment, folder)).ExitCode);
        var input = Path.Combine(folder, "in.jsonl");
        BureauFiles.Write(input, 3);
        var output = Path.Combine(folder, "out.jsonl");
        File.WriteAllText(output, "precious\n");
        var result = await Tooling.RunAsync(Tooling.EcertScript, ["bulk", "issue", "--profile", "personal-smartid", "--in", input, "--out", output], environment, folder);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("already exists", result.Stderr);
        Assert.Equal("precious\n", File.ReadAllText(output));
        Assert.Equal("", result.Stdout);
    }

    private static List<string> AbandonedSerials(EcertInstance instance)
    {
        using var connection = instance.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT serial FROM certificates WHERE bulk_job IS NOT NULL AND state = 'abandoned'";
        using var reader = command.ExecuteReader();
        var serials = new List<string>();
        while (reader.Read()) serials.Add(reader.GetString(0));
        return serials;
    }

    private static long CountValidFromBulk(EcertInstance instance)
    {
        using var connection = instance.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM certificates WHERE bulk_job IS NOT NULL AND state = 'valid'";
        return (long)command.ExecuteScalar()!;
    }
}
