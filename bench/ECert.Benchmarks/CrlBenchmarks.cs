using BenchmarkDotNet.Attributes;
using ECert.Core.Crl;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Benchmarks;

/// <summary>
/// A full CRL of 100k and 1M entries: the streaming CrlEncoder.EncodeAndSign over entries already in
/// memory, through a scratch file, written out to a null stream (the store read is not included;
/// ./ecert bench times that end to end).
/// </summary>
[MemoryDiagnoser]
public class CrlBenchmarks
{
    [Params(100_000, 1_000_000)]
    public int Entries { get; set; }

    private SigningKey _key = null!;
    private CrlHeader _header = null!;
    private RevokedEntry[] _entries = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (key, ca) = Fixtures.Ca(KeyAlgorithm.Rsa2048);
        _key = key;
        var keyId = Convert.FromHexString(ca.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!);
        _header = new CrlHeader(ca.SubjectName.RawData, keyId, 42, Fixtures.Now, Fixtures.Now.AddDays(1), null);
        _entries = new RevokedEntry[Entries];
        for (var i = 0; i < Entries; i++)
            _entries[i] = new RevokedEntry(SerialNumbers.ToHex(SerialNumbers.NewSerial()), i / 10_000,
                Fixtures.Now.AddSeconds(-i), i % 7 == 0 ? RevocationReason.CertificateHold : RevocationReason.KeyCompromise, null);
    }

    [Benchmark]
    public long Encode()
    {
        using var scratch = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        var crl = CrlEncoder.EncodeAndSign(_header, _entries, _key, scratch);
        crl.WriteTo(Stream.Null);
        return crl.Length;
    }
}
