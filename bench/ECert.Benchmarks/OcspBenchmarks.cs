using BenchmarkDotNet.Attributes;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Ocsp;
using ECert.Core.Status;

namespace ECert.Benchmarks;

/// <summary>OCSP: parsing a request and building a signed response (OcspResponseEncoder.Successful).</summary>
[MemoryDiagnoser]
public class OcspBenchmarks
{
    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.P256)]
    public KeyAlgorithm Algorithm { get; set; }

    private SigningKey _key = null!;
    private byte[] _responderCertificate = null!;
    private byte[] _keyHash = null!;
    private byte[] _request = null!;
    private OcspSingleAnswer[] _good = null!;
    private OcspSingleAnswer[] _revoked = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (key, ca) = Fixtures.Ca(Algorithm);
        _key = key;
        _responderCertificate = ca.RawData;
        _keyHash = System.Security.Cryptography.SHA1.HashData(ca.PublicKey.EncodedKeyValue.RawData);
        var serial = SerialNumbers.NewSerial();
        _request = OcspRequest.EncodeSingle(ca, serial);
        var certId = OcspRequest.TryParse(_request, out var problem)?.CertIds[0] ?? throw new InvalidOperationException(problem);
        _good = [new OcspSingleAnswer(certId, OcspCertStatus.Good, null, null, Fixtures.Now, Fixtures.Now.AddDays(1))];
        _revoked = [new OcspSingleAnswer(certId, OcspCertStatus.Revoked, Fixtures.Now.AddDays(-3), RevocationReason.KeyCompromise, Fixtures.Now, Fixtures.Now.AddDays(1))];
    }

    [Benchmark(Description = "parse request")]
    public OcspRequest? Parse() => OcspRequest.TryParse(_request, out _);

    [Benchmark(Description = "build + sign response (good)")]
    public byte[] Good() => OcspResponseEncoder.Successful(_good, _keyHash, Fixtures.Now, null, _key, _responderCertificate);

    [Benchmark(Description = "build + sign response (revoked)")]
    public byte[] Revoked() => OcspResponseEncoder.Successful(_revoked, _keyHash, Fixtures.Now, null, _key, _responderCertificate);
}
