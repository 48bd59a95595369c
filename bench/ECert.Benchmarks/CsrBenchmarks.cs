using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using ECert.Core.Issuance;

namespace ECert.Benchmarks;

/// <summary>CsrReader.ReadPublicKey: PEM/DER decoding, key policy and the proof-of-possession signature check.</summary>
[MemoryDiagnoser]
public class CsrBenchmarks
{
    [Params("rsa2048", "p256")]
    public string Key { get; set; } = "";

    private byte[] _pem = null!;
    private byte[] _der = null!;

    [GlobalSetup]
    public void Setup()
    {
        var name = new X500DistinguishedName("CN=Alice");
        using AsymmetricAlgorithm key = Key == "p256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var request = key switch
        {
            RSA rsa => new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(name, ec, HashAlgorithmName.SHA256),
            _ => throw new NotSupportedException(),
        };
        _der = request.CreateSigningRequest();
        _pem = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE REQUEST", _der));
    }

    [Benchmark(Description = "CSR (DER)")]
    public PublicKey Der() => CsrReader.ReadPublicKey(_der);

    [Benchmark(Description = "CSR (PEM)")]
    public PublicKey Pem() => CsrReader.ReadPublicKey(_pem);
}
