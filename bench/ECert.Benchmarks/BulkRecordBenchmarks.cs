using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using BenchmarkDotNet.Attributes;
using ECert.Core.Bulk;
using ECert.Core.Identity;
using ECert.Core.Issuance;
using ECert.Core.Profiles;

namespace ECert.Benchmarks;

/// <summary>
/// The work bulk issuance does for each bureau record besides signing and storing: reading and
/// checking the record, the identity digest, the subject, and the pre-issuance lint. With the TBS
/// build and the signature (CertificateBenchmarks) this is the floor of a record's CPU time.
/// </summary>
[MemoryDiagnoser]
public class BulkRecordBenchmarks
{
    private byte[] _line = null!;
    private BureauRecord _record = null!;
    private IdentityNumberProtector _protector = null!;
    private CertificateProfile _profile = null!;
    private X509Certificate2 _ca = null!;
    private TbsCertificate _tbs = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var digits = "123456";
        _line = Encoding.UTF8.GetBytes(
            $$"""{"cardNumber":"SC0000123456","name":"CHAN Tai Man","idNumber":"A{{digits}}({{HkIdentityNumber.ComputeCheckDigit("A", digits)}})","email":"tm.chan@example.com","publicKey":"{{Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())}}"}""");
        _record = BureauRecord.Parse(_line);
        _protector = new IdentityNumberProtector(RandomNumberGenerator.GetBytes(32));
        _profile = ProfileFactory.Create("personal-smartid");
        (_, _ca) = Fixtures.Ca(Core.Keys.KeyAlgorithm.P256);
        _tbs = Fixtures.SmartIdTbs(_ca, _record.PublicKey, SerialNumbers.NewSerial(), _profile);
        // Timed is the lint of a certificate that passes, as in a bulk run (a finding costs its text).
        if (CertificateLinter.Lint(_tbs, _profile, _ca) is { Count: > 0 } findings)
            throw new InvalidOperationException("the benchmark's certificate must pass the linter: " + string.Join("; ", findings));
    }

    [Benchmark(Description = "parse and check a bureau record (JSON, check digit, EC key)")]
    public BureauRecord Parse() => BureauRecord.Parse(_line);

    [Benchmark(Description = "identity number digest (HMAC-SHA256)")]
    public byte[] Digest() => _protector.Digest(_record.IdNumber);

    [Benchmark(Description = "subject name")]
    public BuiltSubject Subject() =>
        SubjectBuilder.Build(_profile, new SubjectDetails { Name = _record.Name, IdentityDigest = Digest(), Email = _record.Email }, "0000123456");

    [Benchmark(Description = "pre-issuance lint")]
    public int Lint() => CertificateLinter.Lint(_tbs, _profile, _ca).Count;
}
