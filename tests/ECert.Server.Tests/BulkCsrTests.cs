using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ECert.Core.Identity;
using ECert.Server.Bulk;

namespace ECert.Server.Tests;

/// <summary>
/// Bulk issuance from bureau records that carry a CSR instead of a public key: the certificate gets
/// the CSR's key, and a CSR whose signature does not verify (no proof of possession) is rejected
/// with its line, while the rest go on.
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
}
