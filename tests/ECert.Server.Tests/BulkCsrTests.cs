using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ECert.Core.Identity;
using ECert.Server.Bulk;

namespace ECert.Server.Tests;

/// <summary>
/// Bulk issuance record by record, in process: from records that carry a CSR instead of a public
/// key (the certificate gets the CSR's key; a CSR whose signature does not verify is rejected with
/// its line while the rest go on), and records refused only at the pre-issuance checks, after their
/// serials were reserved (rejected with their card numbers, nothing signed).
/// </summary>
public sealed class BulkCsrTests : IDisposable
{
    private readonly ServiceWorld _world = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-bulk-csr-").FullName;

    public void Dispose()
    {
        _world.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void EachCertificateCarriesItsCsrsKeyAndABadCsrIsRejectedWithItsLine()
    {
        var keys = Enumerable.Range(0, 40).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256)).ToList();
        var csrs = keys.Select(k => new CertificateRequest("CN=card", k, HashAlgorithmName.SHA256).CreateSigningRequestPem()).ToList();
        // Line 7: the CSR of key 6 with one signature byte changed.
        var der = Convert.FromBase64String(string.Concat(csrs[6].Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^5] ^= 0x01;
        csrs[6] = PemEncoding.WriteString("CERTIFICATE REQUEST", der);
        var input = Path.Combine(_folder, "bureau.jsonl");
        File.WriteAllLines(input, csrs.Select((csr, i) =>
        {
            var digits = (100_000 + i).ToString("D6");
            return JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["cardNumber"] = $"CSR{i + 1:D4}", ["name"] = $"LEE Ka Yan {i + 1}", ["idNumber"] = $"B{digits}({HkIdentityNumber.ComputeCheckDigit("B", digits)})", ["csr"] = csr,
            });
        }));
        var output = Path.Combine(_folder, "issued.jsonl");
        var rejects = Path.Combine(_folder, "rejects.jsonl");

        var summary = new BulkIssuance(_world.Instance).Run(new BulkIssueRequest("personal-smartid", input, output, rejects, BatchSize: 16));

        Assert.Equal((40L, 39L, 1L), (summary.Lines, summary.Done, summary.Rejected));
        var rejected = JsonDocument.Parse(File.ReadAllLines(rejects).Single()).RootElement;
        Assert.Equal(7, rejected.GetProperty("line").GetInt32());
        Assert.Equal("CSR0007", rejected.GetProperty("cardNumber").GetString());
        Assert.Contains("proof of possession", rejected.GetProperty("error").GetString());
        var issued = File.ReadAllLines(output).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Where(n => n != 7).Select(n => $"CSR{n:D4}"), issued.Select(e => e.GetProperty("cardNumber").GetString()));
        foreach (var entry in issued)
        {
            var index = int.Parse(entry.GetProperty("cardNumber").GetString()![3..]) - 1;
            using var certificate = X509CertificateLoader.LoadCertificate(entry.GetProperty("certificate").GetBytesFromBase64());
            Assert.Equal(keys[index].ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        }
        keys.ForEach(k => k.Dispose());
    }

    [Fact]
    public void ARecordThatFailsThePreIssuanceChecksIsRejectedWithItsCardNumberAndTheRestGoOn()
    {
        // Eight years on, the issuing CA has two years left and a smart ID card certificate needs more:
        // every record reads well, reserves a serial, and is refused by the linter before any signature.
        _world.Clock.Advance(TimeSpan.FromDays(365 * 8));
        var input = Path.Combine(_folder, "late.jsonl");
        var key = Convert.ToBase64String(ServiceWorld.NewKey().ExportSubjectPublicKeyInfo());
        File.WriteAllLines(input, Enumerable.Range(1, 5).Select(i => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["cardNumber"] = $"LATE{i}", ["name"] = $"HO Hoi Yee {i}", ["idNumber"] = "A123456(3)", ["publicKey"] = key,
        })));

        var summary = new BulkIssuance(_world.Instance).Run(new BulkIssueRequest("personal-smartid", input, Path.Combine(_folder, "late-issued.jsonl"),
            Path.Combine(_folder, "late-rejects.jsonl"), BatchSize: 2));

        Assert.Equal((5L, 0L, 5L), (summary.Lines, summary.Done, summary.Rejected));
        var rejected = File.ReadAllLines(Path.Combine(_folder, "late-rejects.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"LATE{i}"), rejected.Select(r => r.GetProperty("cardNumber").GetString()));
        Assert.Equal(Enumerable.Range(1, 5), rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.All(rejected, r => Assert.Contains("outlive its issuing CA", r.GetProperty("error").GetString()));
        Assert.Empty(File.ReadAllLines(Path.Combine(_folder, "late-issued.jsonl")));
    }
}
