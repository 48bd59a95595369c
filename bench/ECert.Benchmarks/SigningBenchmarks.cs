using BenchmarkDotNet.Attributes;
using ECert.Core.Issuance;
using ECert.Core.Keys;

namespace ECert.Benchmarks;

/// <summary>SigningKey.Sign over a ~600-byte TBS: the ceiling every issuance and OCSP figure is compared with.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.P256)]
    public KeyAlgorithm Algorithm { get; set; }

    private SigningKey _key = null!;
    private byte[] _tbs = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (key, ca) = Fixtures.Ca(Algorithm);
        _key = key;
        _tbs = Fixtures.SmartIdTbs(ca, Fixtures.SubscriberKey(), SerialNumbers.NewSerial()).Encode(key.SignatureAlgorithmIdentifier);
    }

    [Benchmark]
    public byte[] Sign() => _key.Sign(_tbs);

    public int TbsLength => _tbs.Length;
}
