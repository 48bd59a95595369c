using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Asn1;
using ECert.Core.Issuance;
using ECert.Core.Profiles;
using ECert.Core.Stores;

namespace ECert.Core.Tests;

public class IssuanceTests
{
    private static PublicKey NewKey(out AsymmetricAlgorithm key, bool rsa = false)
    {
        key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    [Fact]
    public void PersonalCertificateCarriesProfileUrlsAndProtectedIdentityNumber()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);

        Assert.Equal("C=HK, CN=CHAN Tai Man, SERIALNUMBER=0000000001", string.Join(", ", certificate.SubjectName.Format(true).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        Assert.Equal(issued.SerialHex, certificate.SerialNumber);
        Assert.Equal(TimeSpan.FromDays(3 * 365) - TimeSpan.FromSeconds(1), certificate.NotAfter - certificate.NotBefore);
        var cdp = certificate.Extensions[Oids.CrlDistributionPoints]!;
        Assert.Contains("http://ca.test.invalid/crl/personal-g1/0.crl", new AsnEncodedData(cdp.Oid, cdp.RawData).Format(false));
        var aia = (X509AuthorityInformationAccessExtension)certificate.Extensions[Oids.AuthorityInfoAccess]!;
        Assert.Equal(["http://ca.test.invalid/ocsp"], aia.EnumerateOcspUris());
        Assert.NotNull(certificate.Extensions[Oids.ProtectedIdentityNumber]);
        Assert.Equal(-1, issued.Der.AsSpan().IndexOf("A1234563"u8));
        // An EC key cannot encipher keys: keyEncipherment became keyAgreement.
        var usage = ((X509KeyUsageExtension)certificate.Extensions[Oids.KeyUsage]!).KeyUsages;
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyAgreement, usage);
        Assert.Equal(CertificateState.Valid, ca.Stores.FindCertificate(issued.SerialHex)!.State);
    }

    [Fact]
    public void TheCertificateChainsToTheRoot()
    {
        var ca = new TestCa(Keys.KeyAlgorithm.Rsa2048);
        var issued = ca.IssuePersonal();
        using var leaf = X509CertificateLoader.LoadCertificate(issued.Der);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Stores.FindCa("root-g1")!.Certificate);
        chain.ChainPolicy.ExtraStore.Add(issued.Issuer.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = ca.Clock.Now.UtcDateTime.AddMinutes(1);
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void PartitionsFillInIssuanceOrder()
    {
        var ca = new TestCa(partitionSize: 2);
        var partitions = Enumerable.Range(0, 5).Select(_ => ca.IssuePersonal().Partition).ToList();
        Assert.Equal([0, 0, 1, 1, 2], partitions);
        Assert.Equal(3, ca.Stores.PartitionCount("personal-g1"));
        // Each partition's CRL was published with its first certificate, before any CRL run.
        Assert.All(partitions, p => Assert.NotNull(ca.Stores.FindLatestCrl("personal-g1", p)));
    }

    [Fact]
    public void ServerCertificateHasDnsNamesAndServerAuthOnly()
    {
        var ca = new TestCa();
        var publicKey = NewKey(out var key, rsa: true);
        using (key)
        {
            var issued = ca.Issuer.Issue(new IssuanceRequest("server", publicKey,
                new SubjectDetails { Organisation = "Example Ltd", DnsNames = ["WWW.Example.com", "*.shop.example.com", "www.example.com"] }));
            using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
            var san = (X509SubjectAlternativeNameExtension)certificate.Extensions[Oids.SubjectAltName]!;
            Assert.Equal(["www.example.com", "*.shop.example.com"], san.EnumerateDnsNames());
            Assert.Equal("www.example.com", certificate.GetNameInfo(X509NameType.SimpleName, false));
            var eku = (X509EnhancedKeyUsageExtension)certificate.Extensions[Oids.ExtendedKeyUsage]!;
            Assert.Equal([Oids.ServerAuth], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
            Assert.True((certificate.NotAfter - certificate.NotBefore).TotalDays < 199);
        }
    }

    [Theory]
    [InlineData("localhost.localdomain")]
    [InlineData("printer.local")]
    [InlineData("10.0.0.1")]
    [InlineData("bad_label.example.com")]
    [InlineData("*.com")]
    [InlineData("intranet")]
    [InlineData("intranet.notatld")]
    [InlineData("*.com.hk")]
    [InlineData("xn--zz.com")]
    [InlineData("ab--cd.example.com")]
    [InlineData("com.hk")]
    public void InternalOrMalformedDnsNamesAreRefused(string dns)
    {
        var ca = new TestCa();
        var publicKey = NewKey(out var key);
        using (key)
        {
            var error = Assert.Throws<ECertException>(() => ca.Issuer.Issue(new IssuanceRequest("server", publicKey,
                new SubjectDetails { Organisation = "Example Ltd", DnsNames = [dns] })));
            Assert.Contains(dns, error.Message);
        }
    }

    [Fact]
    public void ServerWithoutDnsNameIsRefusedBeforeAnySerialIsReserved()
    {
        var ca = new TestCa();
        var publicKey = NewKey(out var key);
        using (key)
        {
            var error = Assert.Throws<ECertException>(() => ca.Issuer.Issue(new IssuanceRequest("server", publicKey, new SubjectDetails { Organisation = "Example Ltd" })));
            Assert.Contains("at least one --dns", error.Message);
            Assert.Equal(0, ca.Stores.CertificateCount);
        }
    }

    [Theory]
    [InlineData("organisational", null, "--br-number")]
    [InlineData("personal", "Example Ltd", "--org does not apply")]
    [InlineData("encipherment", "Example Ltd", "--org-unit is required")]
    public void SubjectDetailsAreCheckedAgainstTheTemplate(string profile, string? org, string expected)
    {
        var ca = new TestCa();
        var publicKey = NewKey(out var key);
        using (key)
        {
            var details = new SubjectDetails { Name = "WONG Siu Ming", IdNumber = profile == "personal" ? "A123456(3)" : null, Organisation = org ?? (profile == "personal" ? null : "Example Ltd"), BrNumber = profile == "encipherment" ? "12345678" : null };
            var error = Assert.Throws<ECertException>(() => ca.Issuer.Issue(new IssuanceRequest(profile, publicKey, details)));
            Assert.Contains(expected, error.Message);
        }
    }

    [Fact]
    public void OrganisationalSubjectCarriesTheBusinessRegistrationNumber()
    {
        var ca = new TestCa();
        var publicKey = NewKey(out var key);
        using (key)
        {
            var issued = ca.Issuer.Issue(new IssuanceRequest("organisational", publicKey,
                new SubjectDetails { Name = "WONG Siu Ming", Organisation = "Example Ltd", OrganisationUnit = "Finance", BrNumber = "12345678-001" }));
            using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
            Assert.Contains("NTRHK-12345678-001", certificate.Subject);
            Assert.Contains("OU=Finance", certificate.Subject);
        }
    }

    [Fact]
    public void LinterBlocksACertificateThatOutlivesItsIssuer()
    {
        var ca = new TestCa();
        ca.Clock.Advance(TimeSpan.FromDays(365 * 9)); // the issuing CA has one year left; personal needs three
        var error = Assert.Throws<ECertException>(() => ca.IssuePersonal());
        Assert.Equal(ErrorKind.PolicyViolation, error.Kind);
        Assert.Contains("outlive its issuing CA", error.Message);
    }

    [Fact]
    public void LinterFindsServerRuleBreaches()
    {
        var profile = ProfileFactory.Create("server");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        var now = DateTimeOffset.UtcNow;
        var tbs = new TbsCertificate(SerialNumbers.NewSerial(), new X500DistinguishedName("CN=CA"), now, now.AddDays(250),
            new X500DistinguishedName("CN=not-in-san.example.com"), publicKey,
            [CertificateExtensions.BasicConstraints(false), CertificateExtensions.KeyUsage(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment)]);
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issuer = new CertificateRequest("CN=Issuer", issuerKey, HashAlgorithmName.SHA256).CreateSelfSigned(now, now.AddYears(5));
        var findings = CertificateLinter.Lint(tbs, profile, issuer);
        Assert.Contains(findings, f => f.Contains("exceeds the profile's 199 days"));
        Assert.Contains(findings, f => f.Contains("EC key"));
        Assert.Contains(findings, f => f.Contains("subjectAltName"));
        Assert.Contains(findings, f => f.Contains(Oids.CrlDistributionPoints));
        Assert.Contains(findings, f => f.Contains("not among the issuing CA's policies"));
    }

    [Fact]
    public void CertificatesPreparedOnEveryCoreAtOnceAllPassTheLinter()
    {
        // Bulk issuance prepares and lints on every core with extensions shared per profile and CA:
        // a shared typed extension (X509EnhancedKeyUsageExtension) decoded lazily by two threads at
        // once once made every certificate of a run fail "extendedKeyUsage differs from the profile".
        var ca = new TestCa();
        var profile = ProfileFactory.Create("personal-smartid");
        var issuer = ca.Stores.FindCa(profile.IssuingCa)!;
        var subject = SubjectBuilder.Build(profile, new SubjectDetails { Name = "CHAN Tai Man", IdNumber = "A123456(3)" }, "0000000001");
        var publicKey = NewKey(out var key);
        using (key)
        {
            var now = ca.Clock.GetUtcNow();
            TbsCertificate Prepare() => ca.Issuer.Prepare(profile, issuer, subject, publicKey, SerialNumbers.NewSerial(), 0, now, now.AddDays(30));
            var findings = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var start = new Barrier(4);
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 200; i++)
                    foreach (var finding in CertificateLinter.Lint(Prepare(), profile, issuer.Certificate)) findings.Add(finding);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Empty(findings);

            // What two certificates share is plain (OID, value, criticality): nothing decoded lazily.
            var (first, second) = (Prepare(), Prepare());
            var shared = first.Extensions.Where(e => second.Extensions.Any(o => ReferenceEquals(o, e))).ToList();
            Assert.Equal(7, shared.Count); // basic constraints, key usage, EKU, AKI, CRL DP, AIA, policies
            Assert.All(shared, e => Assert.Equal(typeof(X509Extension), e.GetType()));
        }
    }

    [Fact]
    public void LinterReadsASharedExtensionAgainWhenItsBytesChange()
    {
        // The linter decodes an extension object once and reuses what it read; an X509Extension's
        // bytes can be set afterwards, and then it must read them again.
        var profile = ProfileFactory.Create("personal");
        var publicKey = NewKey(out var key);
        using (key)
        {
            var now = DateTimeOffset.UtcNow;
            using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var issuer = new CertificateRequest("CN=Issuer", issuerKey, HashAlgorithmName.SHA256).CreateSelfSigned(now, now.AddYears(5));
            var basic = new X509Extension(new Oid(Oids.BasicConstraints), CertificateExtensions.BasicConstraints(isCa: false).RawData, critical: true);
            var tbs = new TbsCertificate(SerialNumbers.NewSerial(), issuer.SubjectName, now, now.AddDays(30), new X500DistinguishedName("CN=Someone"), publicKey, [basic]);
            Assert.DoesNotContain(CertificateLinter.Lint(tbs, profile, issuer), f => f.Contains("basicConstraints"));

            basic.RawData = CertificateExtensions.BasicConstraints(isCa: true).RawData;
            Assert.Contains(CertificateLinter.Lint(tbs, profile, issuer), f => f.Contains("basicConstraints must be present, critical, with cA false"));
            basic.RawData = CertificateExtensions.BasicConstraints(isCa: false).RawData;
            basic.Critical = false;
            Assert.Contains(CertificateLinter.Lint(tbs, profile, issuer), f => f.Contains("basicConstraints must be present, critical, with cA false"));
        }
    }

    [Fact]
    public void SigningAfterAFailedEncodingOnTheSameThreadGivesAWholeCertificate()
    {
        // Certificates are encoded in a writer kept per thread; one that failed half-way must not
        // leave anything behind for the next.
        var ca = new TestCa();
        var profile = ProfileFactory.Create("personal-smartid");
        var issuer = ca.Stores.FindCa(profile.IssuingCa)!;
        var signingKey = ca.Stores.GetSigningKey(issuer.KeyId);
        var subject = SubjectBuilder.Build(profile, new SubjectDetails { Name = "CHAN Tai Man", IdNumber = "A123456(3)" }, "0000000001");
        var publicKey = NewKey(out var key);
        using (key)
        {
            var now = ca.Clock.GetUtcNow();
            var good = ca.Issuer.Prepare(profile, issuer, subject, publicKey, SerialNumbers.NewSerial(), 0, now, now.AddDays(30));
            var broken = good with { Extensions = [.. good.Extensions, new X509Extension(new Oid("not.an.oid"), new byte[] { 5, 0 }, false)] };
            Assert.ThrowsAny<Exception>(() => broken.Sign(signingKey));

            var der = good.Sign(signingKey);
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            var tbs = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence().ReadEncodedValue();
            Assert.Equal(good.Encode(signingKey.SignatureAlgorithmIdentifier), tbs.ToArray());
            Assert.True(SignatureCheck.IsValid(der, issuer.VerificationKey));
            Assert.Equal(subject.Name.RawData, certificate.SubjectName.RawData);
        }
    }
}
