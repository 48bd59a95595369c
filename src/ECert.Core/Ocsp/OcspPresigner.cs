using ECert.Core.Stores;

namespace ECert.Core.Ocsp;

/// <summary>What one refresh pass did, for the server's log and the tests.</summary>
public sealed record PresignReport(int Signed, int Stored, bool CycleFinished);

/// <summary>
/// Keeps the pre-signed responses current: re-signs at once the certificates whose status changed
/// (polled from the store's change log, which also drops them from the responder's cache), and
/// walks the store signing the responses that are missing or past half their validity, so none
/// is ever served after its nextUpdate and a restart finds them already signed.
/// </summary>
public sealed class OcspPresigner(OcspResponder responder, IOcspResponseStore responses, ICertificateStatusReader certificates, TimeProvider time)
{
    private long _position;

    /// <summary>How many changed certificates one poll re-signs; after a mass revocation the rest are signed on their first request or by the walk.</summary>
    public const int ResignPerPoll = 1000;

    /// <summary>
    /// Applies every status change committed since the last poll: all are dropped from the cache
    /// first (so none is answered from a stale entry), then up to <see cref="ResignPerPoll"/> are
    /// re-signed at once. Returns how many changes were applied.
    /// </summary>
    public int PollChanges()
    {
        var cache = responder.Cache;
        var changed = new List<string>();
        while (true)
        {
            var (serials, latest) = responses.ChangesSince(cache.ChangeWatermark);
            if (serials.Count == 0) break;
            cache.Forget(serials, latest);
            if (changed.Count < ResignPerPoll) changed.AddRange(serials);
            else changed.Add(serials[0]);   // only counted
            if (changed.Count >= 1_000_000) break;
        }
        var now = time.GetUtcNow();
        var resigned = changed.Distinct().Take(ResignPerPoll)
            .Select(certificates.FindCertificate).OfType<CertificateRecord>().Where(record => IsAnswerable(record, now))
            .Select(record => (responder.Presign(record, now), record)).ToList();
        responses.SaveAllIfCurrent(resigned);
        return changed.Count;
    }

    /// <summary>
    /// Signs up to <paramref name="limit"/> responses that are missing or due for refresh, continuing
    /// where the previous pass stopped; <paramref name="parallelism"/> signers share the work.
    /// </summary>
    public PresignReport RefreshSome(int limit, int parallelism = 1)
    {
        var now = time.GetUtcNow();
        var refreshBefore = now + responder.ResponseValidity / 2;
        var (due, reached, finished) = responses.FindDue(_position, limit, now, refreshBefore);
        _position = finished ? 0 : reached;
        var signed = new (PresignedResponse, CertificateRecord)[due.Count];
        Parallel.For(0, due.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
            i => signed[i] = (responder.Presign(due[i].Certificate, now), due[i].Certificate));
        return new PresignReport(due.Count, responses.SaveAllIfCurrent(signed), finished);
    }

    private static bool IsAnswerable(CertificateRecord record, DateTimeOffset now) =>
        record.State is CertificateState.Valid or CertificateState.Suspended or CertificateState.Revoked && record.NotAfter > now;
}
