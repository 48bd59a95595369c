using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using ECert.Core.Issuance;
using ECert.Core.Keys;

namespace ECert.Benchmarks;

/// <summary>Certificate construction as CertificateIssuer does it: TbsCertificate (extensions, DER) + sign, and the post-signing check.</summary>
[MemoryDiagnoser]
public class CertificateBenchmarks
{
    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.P256)]
    public KeyAlgorithm Algorithm { get; set; }

    private SigningKey _key = null!;
    private X509Certificate2 _ca = null!;
    private PublicKey _subscriber = null!;
    private byte[] _signed = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_key, _ca) = Fixtures.Ca(Algorithm);
        _subscriber = Fixtures.SubscriberKey();
        _signed = BuildAndSign();
    }

    [Benchmark(Description = "TBS build + DER encode")]
    public byte[] EncodeTbs() => Fixtures.SmartIdTbs(_ca, _subscriber, SerialNumbers.NewSerial()).Encode(_key.SignatureAlgorithmIdentifier);

    [Benchmark(Description = "TBS + sign")]
    public byte[] BuildAndSign() => Fixtures.SmartIdTbs(_ca, _subscriber, SerialNumbers.NewSerial()).Sign(_key);

    [Benchmark(Description = "signature check (SignatureCheck.IsValid)")]
    public bool Verify() => SignatureCheck.IsValid(_signed, _ca);
}
