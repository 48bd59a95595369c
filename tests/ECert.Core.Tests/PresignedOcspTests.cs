using ECert.Core.Ocsp;
using ECert.Core.Status;

namespace ECert.Core.Tests;

/// <summary>Pre-signed OCSP responses: signed ahead, refreshed before they expire, withdrawn and re-signed on a status change.</summary>
public class PresignedOcspTests
{
    [Fact]
    public void APresignedResponseIsNeverServedPastItsNextUpdate()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        var request = OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex);
        var validity = TimeSpan.FromHours(ca.Settings.Ocsp.ResponseValidityHours);
        var first = ca.Ocsp.Respond(request);
        var start = ca.Clock.GetUtcNow();

        // Walk through two and a half validity windows a quarter-hour at a time, refreshing as the server does.
        for (var step = 0; step < 4 * 20; step++)
        {
            ca.Clock.Advance(TimeSpan.FromMinutes(15));
            if (step % 8 == 0) ca.Presigner.RefreshSome(100);
            var now = ca.Clock.GetUtcNow();
            var served = ca.Ocsp.Respond(request);
            Assert.True(served.NextUpdate > now, $"served a response whose nextUpdate {served.NextUpdate:u} is not after {now:u}");
            Assert.True(served.ThisUpdate <= now);
            Assert.Equal(validity, served.NextUpdate - served.ThisUpdate);
        }
        Assert.True(ca.Clock.GetUtcNow() - start > validity * 2);
        Assert.NotEqual(first.ThisUpdate, ca.Ocsp.Respond(request).ThisUpdate);
    }

    [Fact]
    public void TheWalkSignsMissingResponsesAheadAndThenRestsUntilHalfTheirValidity()
    {
        var ca = new TestCa();
        var serials = Enumerable.Range(0, 5).Select(i => ca.IssuePersonal($"HOLDER {i}").SerialHex).ToList();
        var report = ca.Presigner.RefreshSome(100);
        Assert.Equal((5, 5), (report.Signed, report.Stored));
        Assert.All(serials, s => Assert.NotNull(ca.Stores.Find(s)));
        Assert.Equal(0, ca.Presigner.RefreshSome(100).Signed);

        ca.Clock.Advance(TimeSpan.FromHours(ca.Settings.Ocsp.ResponseValidityHours) / 2 + TimeSpan.FromMinutes(1));
        var before = ca.Stores.Find(serials[0])!.ThisUpdate;
        Assert.Equal(5, ca.Presigner.RefreshSome(100).Stored);
        Assert.True(ca.Stores.Find(serials[0])!.ThisUpdate > before);
    }

    [Fact]
    public void AStatusChangeWithdrawsTheStoredResponseAndThePollReSignsIt()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        Assert.Equal(1, ca.Presigner.PollChanges());   // the issuance itself
        Assert.NotNull(ca.Stores.Find(issued.SerialHex));
        var request = OcspWire.Request(issued.Issuer.Certificate, issued.SerialHex);
        Assert.Equal(OcspCertStatus.Good, OcspWire.Read(ca.Ocsp.Respond(request).Der).CertStatus);
        Assert.Equal(1, ca.Ocsp.Cache.Count);

        ca.Status.Revoke(issued.SerialHex, RevocationReason.KeyCompromise);
        Assert.Null(ca.Stores.Find(issued.SerialHex));
        Assert.Equal(1, ca.Presigner.PollChanges());
        Assert.Equal(0, ca.Ocsp.Cache.Count);
        var stored = ca.Stores.Find(issued.SerialHex);
        Assert.NotNull(stored);
        Assert.Equal(OcspCertStatus.Revoked, OcspWire.Read(stored.Der).CertStatus);
        Assert.Equal(OcspCertStatus.Revoked, OcspWire.Read(ca.Ocsp.Respond(request).Der).CertStatus);
    }

    [Fact]
    public void AnAnswerReadBeforeAPolledChangeIsNotCached()
    {
        var cache = new OcspResponseCache(1 << 20);
        var entry = new CachedResponse("personal-g1", new OcspResult(new byte[100], OcspResponseStatus.Successful, null, null, null), DateTimeOffset.MaxValue);
        var watermark = cache.ChangeWatermark;
        cache.Forget(["AB"], latestChangeId: watermark + 1);
        Assert.False(cache.TryAdd("AB", entry, watermark));
        Assert.False(cache.TryGet("AB", out _));
        Assert.True(cache.TryAdd("AB", entry, cache.ChangeWatermark));
    }

    [Fact]
    public void TheCacheNeverHoldsMoreThanItsBudget()
    {
        var cache = new OcspResponseCache(64 * 1024);
        for (var i = 0; i < 10_000; i++)
        {
            var entry = new CachedResponse("personal-g1", new OcspResult(new byte[1400], OcspResponseStatus.Successful, null, null, null), DateTimeOffset.MaxValue);
            cache.TryAdd(i.ToString("X8"), entry, cache.ChangeWatermark);
            Assert.True(cache.Bytes <= cache.BudgetBytes, $"{cache.Bytes} bytes held after {i + 1} entries");
        }
        Assert.InRange(cache.Count, 30, 64 * 1024 / 1400);
    }

    [Fact]
    public void AfterItsFirstWalkThePresignerSignsOnlyNewCertificatesAndDueResponses()
    {
        var ca = new TestCa();
        for (var i = 0; i < 4; i++) ca.IssuePersonal($"HOLDER {i}");
        Assert.Equal(4, ca.Presigner.RefreshSome(100).Stored);
        var quiet = ca.Presigner.RefreshSome(100);
        Assert.Equal((0, true), (quiet.Signed, quiet.CycleFinished));

        var late = ca.IssuePersonal("LATE HOLDER");
        var report = ca.Presigner.RefreshSome(100);
        Assert.Equal((1, 1), (report.Signed, report.Stored));
        Assert.NotNull(ca.Stores.Find(late.SerialHex));
    }

    [Fact]
    public void AMassRevocationIsReSignedOverTheNextPollsInTheLogsOrder()
    {
        var ca = new TestCa();
        var serials = Enumerable.Range(0, OcspPresigner.ResignPerPoll + 500).Select(i => ca.IssuePersonal($"HOLDER {i}").SerialHex).ToList();
        ca.Presigner.RefreshSome(serials.Count, parallelism: 2);
        for (var poll = 0; poll < 3; poll++) ca.Presigner.PollChanges();   // the issuances, as changes
        foreach (var serial in serials) ca.Status.Revoke(serial, RevocationReason.KeyCompromise);
        Assert.All(serials, s => Assert.Null(ca.Stores.Find(s)));

        Assert.Equal(serials.Count, ca.Presigner.PollChanges());   // every change leaves the cache at the first poll
        int Revoked() => serials.Count(s => ca.Stores.Find(s) is { } r && OcspWire.Read(r.Der).CertStatus == OcspCertStatus.Revoked);
        Assert.Equal(OcspPresigner.ResignPerPoll, Revoked());
        Assert.NotNull(ca.Stores.Find(serials[0]));
        Assert.Null(ca.Stores.Find(serials[^1]));
        Assert.Equal(0, ca.Presigner.PollChanges());
        Assert.Equal(serials.Count, Revoked());
    }

    [Fact]
    public void TheResponseOfAnExpiredCertificateIsDroppedNotRefreshed()
    {
        var ca = new TestCa();
        var issued = ca.IssuePersonal();
        ca.Presigner.RefreshSome(10);
        Assert.NotNull(ca.Stores.Find(issued.SerialHex));
        ca.Clock.Advance(TimeSpan.FromDays(3 * 365 + 1));   // past the personal certificate's three years

        var report = ca.Presigner.RefreshSome(10);

        Assert.Equal(0, report.Signed);
        Assert.Null(ca.Stores.Find(issued.SerialHex));
    }

    [Fact]
    public void DroppingExpiredResponsesDoesNotEndTheCycleEarly()
    {
        var ca = new TestCa();
        ca.IssuePersonal("EXPIRING 1");
        ca.IssuePersonal("EXPIRING 2");
        ca.Presigner.RefreshSome(10);
        ca.Clock.Advance(TimeSpan.FromDays(3 * 365 + 1));
        var fresh = ca.IssuePersonal("NEW HOLDER");

        // The batch is spent on dropping two expired responses: more may be due, so not finished.
        var first = ca.Presigner.RefreshSome(2);
        Assert.Equal((0, false), (first.Signed, first.CycleFinished));
        var second = ca.Presigner.RefreshSome(2);
        Assert.Equal((1, true), (second.Signed, second.CycleFinished));
        Assert.NotNull(ca.Stores.Find(fresh.SerialHex));
    }
}
