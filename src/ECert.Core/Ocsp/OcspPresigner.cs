using ECert.Core.Stores;

namespace ECert.Core.Ocsp;

/// <summary>What one refresh pass did, for the server's log and the tests.</summary>
public sealed record PresignReport(int Signed, int Stored, bool CycleFinished);

/// <summary>
/// Keeps the pre-signed responses current: drops the certificates whose status changed from the
/// responder's cache at once and re-signs them (polled from the store's change log), re-signs the
/// stored responses past half their validity (found through their nextUpdate), and signs the
/// responses missing for certificates it has not yet looked at: every certificate once after a
/// start, then only those issued since. So none is ever served after its nextUpdate, a restart
/// finds them already signed, and an idle responder does not keep reading the whole store.
/// </summary>
public sealed class OcspPresigner(OcspResponder responder, IOcspResponseStore responses, ICertificateStatusReader certificates, TimeProvider time)
{
    /// <summary>How far the walk over the certificates has got; it never goes back.</summary>
    private long _position;

    /// <summary>The change-log id through which changed certificates were re-signed (null: from the cache's start).</summary>
    private long? _resignedThrough;

    /// <summary>How many changed certificates one poll re-signs; after a mass revocation the rest follow at the next polls (or on their first request).</summary>
    public const int ResignPerPoll = 1000;

    /// <summary>
    /// Applies every status change committed since the last poll: all are dropped from the cache at
    /// once (so none is answered from a stale entry), then up to <see cref="ResignPerPoll"/> are
    /// re-signed, in the log's order, on <paramref name="parallelism"/> threads. A certificate that
    /// cannot be signed is skipped (it is signed on its first request); if none can be, the call
    /// throws and the next poll tries the same ones again. Returns how many changes were applied to the cache.
    /// </summary>
    public int PollChanges(int parallelism = 1)
    {
        var cache = responder.Cache;
        _resignedThrough ??= cache.ChangeWatermark;
        var applied = 0;
        while (true)
        {
            var (serials, latest) = responses.ChangesSince(cache.ChangeWatermark);
            if (serials.Count == 0) break;
            cache.Forget(serials, latest);
            applied += serials.Count;
        }
        var (changed, through) = responses.ChangesSince(_resignedThrough.Value, ResignPerPoll);
        if (changed.Count == 0) return applied;
        var now = time.GetUtcNow();
        var records = changed.Distinct().Select(certificates.FindCertificate).OfType<CertificateRecord>().Where(record => IsAnswerable(record, now)).ToList();
        var resigned = new (PresignedResponse Response, CertificateRecord StatusAsOf)?[records.Count];
        Exception? failure = null;
        Parallel.For(0, records.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
        {
            try { resigned[i] = (responder.Presign(records[i], now), records[i]); }
            catch (Exception e) when (e is ECertException or System.Security.Cryptography.CryptographicException) { failure = e; }
        });
        var signed = resigned.OfType<(PresignedResponse, CertificateRecord)>().ToList();
        if (failure is not null && signed.Count == 0) throw failure;
        responses.SaveAllIfCurrent(signed);
        _resignedThrough = through;
        return applied;
    }

    /// <summary>
    /// Signs up to <paramref name="limit"/> responses: first the stored ones due for refresh, then
    /// those missing for certificates after the walk's position. <paramref name="parallelism"/>
    /// signers share the work. The report's CycleFinished says nothing more is due now.
    /// </summary>
    public PresignReport RefreshSome(int limit, int parallelism = 1)
    {
        var now = time.GetUtcNow();
        var refreshBefore = now + responder.ResponseValidity / 2;
        var (expiring, examined) = responses.FindExpiring(limit, now, refreshBefore);
        var due = expiring.ToList();
        var finished = false;
        if (examined < limit)
        {
            var (missing, reached, walked) = responses.FindDue(_position, limit - examined, now, refreshBefore);
            _position = reached;
            finished = walked;
            var refreshed = due.Select(d => d.Certificate.SerialHex).ToHashSet(StringComparer.Ordinal);
            due.AddRange(missing.Where(m => !refreshed.Contains(m.Certificate.SerialHex)));
        }
        var signed = new (PresignedResponse, CertificateRecord)[due.Count];
        Parallel.For(0, due.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
            i => signed[i] = (responder.Presign(due[i].Certificate, now), due[i].Certificate));
        return new PresignReport(due.Count, responses.SaveAllIfCurrent(signed), finished);
    }

    private static bool IsAnswerable(CertificateRecord record, DateTimeOffset now) =>
        record.State is CertificateState.Valid or CertificateState.Suspended or CertificateState.Revoked && record.NotAfter > now;
}
