using ECert.Core.Crl;
using ECert.Core.Hierarchy;
using ECert.Core.Identity;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Ocsp;
using ECert.Core.Settings;
using ECert.Core.Status;

namespace ECert.Core.Tests;

/// <summary>A whole CA over in-memory stores, with a clock the test controls.</summary>
internal sealed class TestCa
{
    public TestCa(KeyAlgorithm algorithm = KeyAlgorithm.P256, int partitionSize = 10)
    {
        Settings = new CaSettings { BaseUrl = "http://ca.test.invalid", CrlPartitionSize = partitionSize };
        Responders = new ResponderCertificates(Stores, Stores, Settings, Clock);
        new HierarchyBuilder(Stores, Stores, Settings, Responders, Clock).Create(algorithm);
        Crls = new CrlPublisher(Stores, Stores, Stores, Settings, Clock);
        Issuer = new CertificateIssuer(Stores, Stores, Stores, Settings,
            new IdentityNumberProtector(Stores.GetSecret(HierarchyBuilder.IdentityHashSecretId)), Crls, Clock);
        Status = new CertificateStatusService(Stores, Clock);
        Ocsp = new OcspResponder(Stores, Stores, Stores, new OcspResponseCache(1 << 20), Responders, Settings.Ocsp, Clock);
        Presigner = new OcspPresigner(Ocsp, Stores, Stores, Clock);
    }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));
    public InMemoryStores Stores { get; } = new();
    public CaSettings Settings { get; }
    public ResponderCertificates Responders { get; }
    public CertificateIssuer Issuer { get; }
    public CertificateStatusService Status { get; }
    public CrlPublisher Crls { get; }
    public OcspResponder Ocsp { get; }
    public OcspPresigner Presigner { get; }

    public IssuedCertificate IssuePersonal(string name = "CHAN Tai Man")
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var publicKey = System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return Issuer.Issue(new IssuanceRequest("personal", publicKey, new SubjectDetails { Name = name, IdNumber = "A123456(3)" }));
    }
}

internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}
