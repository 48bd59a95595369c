using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Crl;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Core.Tests;

public class StatusAndCrlTests
{
    [Fact]
    public void SuspendResumeRevokeFollowTheRules()
    {
        var ca = new TestCa();
        var serial = ca.IssuePersonal().SerialHex;

        Assert.Contains("only a suspended", Assert.Throws<ECertException>(() => ca.Status.Resume(serial)).Message);
        Assert.Equal(CertificateState.Suspended, ca.Status.Suspend(serial).State);
        Assert.Equal(RevocationReason.CertificateHold, ca.Stores.FindCertificate(serial)!.Reason);
        Assert.Contains("only a valid", Assert.Throws<ECertException>(() => ca.Status.Suspend(serial)).Message);
        Assert.Equal(CertificateState.Valid, ca.Status.Resume(serial).State);
        Assert.Null(ca.Stores.FindCertificate(serial)!.Reason);

        var revoked = ca.Status.Revoke(serial, RevocationReason.KeyCompromise, ca.Clock.Now.AddHours(-1));
        Assert.Equal(CertificateState.Revoked, revoked.State);
        var again = Assert.Throws<ECertException>(() => ca.Status.Revoke(serial, RevocationReason.Superseded));
        Assert.Equal(ErrorKind.Conflict, again.Kind);
        Assert.Contains("revocation is final", again.Message);
        Assert.Throws<ECertException>(() => ca.Status.Resume(serial));
    }

    [Fact]
    public void TlsCertificatesCannotBeSuspended()
    {
        var ca = new TestCa();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        var serial = ca.Issuer.Issue(new Issuance.IssuanceRequest("server", publicKey,
            new Issuance.SubjectDetails { Organisation = "Example Ltd", DnsNames = ["www.example.com"] })).SerialHex;
        var error = Assert.Throws<ECertException>(() => ca.Status.Suspend(serial));
        Assert.Contains("4.9.13", error.Message);
        Assert.Equal(CertificateState.Valid, ca.Stores.FindCertificate(serial)!.State);
    }

    [Fact]
    public void ASuspensionForNonPaymentIsNotResumedByHand()
    {
        var ca = new TestCa();
        var serial = ca.IssuePersonal().SerialHex;
        ca.Status.Suspend(serial, CertificateStatusService.SuspendedForNonPayment);
        Assert.Contains("recording the subscription payment", Assert.Throws<ECertException>(() => ca.Status.Resume(serial)).Message);
        Assert.Equal(CertificateState.Valid, ca.Status.ResumeAfterPayment(serial).State);
    }

    [Fact]
    public void ASuspendedCertificateCanBeRevokedForGood()
    {
        var ca = new TestCa();
        var serial = ca.IssuePersonal().SerialHex;
        ca.Status.Suspend(serial);
        Assert.Equal(RevocationReason.CessationOfOperation, ca.Status.Revoke(serial, RevocationReason.CessationOfOperation).Reason);
    }

    [Theory]
    [InlineData(RevocationReason.CertificateHold, "use 'suspend'")]
    [InlineData(RevocationReason.CaCompromise, "does not apply")]
    [InlineData(RevocationReason.RemoveFromCrl, "does not apply")]
    public void ReasonsThatAreNotSubscriberRevocationsAreRefused(RevocationReason reason, string expected)
    {
        var ca = new TestCa();
        var serial = ca.IssuePersonal().SerialHex;
        Assert.Contains(expected, Assert.Throws<ECertException>(() => ca.Status.Revoke(serial, reason)).Message);
        Assert.Equal(CertificateState.Valid, ca.Stores.FindCertificate(serial)!.State);
    }

    [Fact]
    public void AFutureInvalidityDateIsRefused()
    {
        var ca = new TestCa();
        var serial = ca.IssuePersonal().SerialHex;
        Assert.Contains("future", Assert.Throws<ECertException>(() => ca.Status.Revoke(serial, RevocationReason.KeyCompromise, ca.Clock.Now.AddDays(1))).Message);
    }

    [Fact]
    public void UnknownSerialIsNotFound()
    {
        var ca = new TestCa();
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<ECertException>(() => ca.Status.Get("0123456789ABCDEF")).Kind);
    }

    [Theory]
    [InlineData("keyCompromise", RevocationReason.KeyCompromise)]
    [InlineData("key-compromise", RevocationReason.KeyCompromise)]
    [InlineData("SUPERSEDED", RevocationReason.Superseded)]
    [InlineData("5", RevocationReason.CessationOfOperation)]
    public void ReasonsParseFromTheirRfcNames(string text, RevocationReason expected) =>
        Assert.Equal(expected, RevocationReasons.Parse(text));

    [Theory]
    [InlineData("-1")] // once read as 1, keyCompromise
    [InlineData("-5")]
    [InlineData("7")] // unused in RFC 5280
    [InlineData("+1")]
    [InlineData("\u0661")] // Arabic-Indic one
    public void ReasonNumbersAreReadAsWritten(string text) =>
        Assert.Contains("unknown revocation reason", Assert.Throws<ECertException>(() => RevocationReasons.Parse(text)).Message);

    [Fact]
    public void CrlsListRevokedAndSuspendedCertificatesInTheirPartitions()
    {
        var ca = new TestCa(partitionSize: 2);
        var serials = Enumerable.Range(0, 4).Select(_ => ca.IssuePersonal().SerialHex).ToList();
        ca.Status.Revoke(serials[0], RevocationReason.KeyCompromise);
        ca.Status.Suspend(serials[3]);
        var reports = ca.Crls.PublishAll();
        Assert.Contains(reports, r => r.CaSlug == "personal-g1" && r.Partition == 1);

        var full = ca.Stores.FindLatestCrl("personal-g1", null)!;
        var partition0 = ca.Stores.LatestCrlDer("personal-g1", 0);
        var partition1 = ca.Stores.LatestCrlDer("personal-g1", 1);
        Assert.Equal(2, full.EntryCount);
        Assert.Equal(ca.Stores.LatestCrlDer("personal-g1", null).Length, full.Bytes);
        Assert.Equal([serials[0]], Entries(partition0, out var n0).Select(e => e.Serial).ToList());
        Assert.Equal([serials[3]], Entries(partition1, out var n1).Select(e => e.Serial).ToList());
        Assert.Equal(RevocationReason.CertificateHold, (RevocationReason)Entries(partition1, out _)[0].Reason!);
        Assert.True(n1 > n0);

        // Resumed certificates leave the CRL; CRL numbers keep increasing.
        ca.Status.Resume(serials[3]);
        ca.Crls.PublishAll();
        Assert.Empty(Entries(ca.Stores.LatestCrlDer("personal-g1", 1), out var n2));
        Assert.True(n2 > n1);
    }

    [Fact]
    public void AFullOnlyRunIssuesTheFullCrlAndLeavesThePartitionsAsTheyAre()
    {
        var ca = new TestCa(partitionSize: 2);
        var serials = Enumerable.Range(0, 4).Select(_ => ca.IssuePersonal().SerialHex).ToList();
        ca.Crls.PublishAll();
        var partition0 = ca.Stores.LatestCrlDer("personal-g1", 0);
        ca.Status.Revoke(serials[1], RevocationReason.KeyCompromise);

        var reports = ca.Crls.Publish(ca.Stores.FindCa("personal-g1")!, fullOnly: true);

        var report = Assert.Single(reports);
        Assert.Null(report.Partition);
        Assert.Equal([serials[1]], Entries(ca.Stores.LatestCrlDer("personal-g1", null), out var fullNumber).Select(e => e.Serial).ToList());
        Assert.Equal(partition0, ca.Stores.LatestCrlDer("personal-g1", 0));
        // Later, a full CRL issued alone does not hide the partitions falling due from the schedule.
        var partitionsDue = ca.Stores.FindLatestCrl("personal-g1", 0)!.NextUpdate;
        ca.Clock.Advance(TimeSpan.FromHours(6));
        ca.Crls.Publish(ca.Stores.FindCa("personal-g1")!, fullOnly: true);
        Assert.True(ca.Stores.FindLatestCrl("personal-g1", null)!.NextUpdate > partitionsDue);
        Assert.Equal(partitionsDue, ca.Stores.CrlCoverage().Single(c => c.CaSlug == "personal-g1").EarliestNextUpdate);
        // The next full run numbers above the numbers this one set aside for the partitions.
        ca.Crls.PublishAll();
        Assert.True(Entries(ca.Stores.LatestCrlDer("personal-g1", 0), out var partitionNumber).Count == 1 && partitionNumber > fullNumber);
    }

    [Fact]
    public void CrlTimesFollowTheSchedule()
    {
        var ca = new TestCa();
        ca.Crls.PublishAll();
        var crl = ca.Stores.FindLatestCrl("server-g1", null)!;
        Assert.Equal(ca.Clock.Now, crl.ThisUpdate);
        // 02:00 UTC is 10:00 in Hong Kong: the next run is 14:15 HKT (06:15 UTC), plus two hours' grace.
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 8, 15, 0, TimeSpan.Zero), crl.NextUpdate);
        Assert.False(ca.Crls.IsAnyCrlDue(ca.Clock.Now));
        ca.Clock.Advance(TimeSpan.FromHours(4.5));
        Assert.True(ca.Crls.IsAnyCrlDue(ca.Clock.Now));
    }

    private static List<(string Serial, int? Reason)> Entries(byte[] der, out BigInteger number)
    {
        // The framework's own CRL parser must accept what we wrote; it also reads the CRL number.
        CertificateRevocationListBuilder.Load(der, out number);
        return CrlReader.Entries(der);
    }
}
