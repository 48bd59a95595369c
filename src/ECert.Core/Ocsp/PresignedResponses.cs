using ECert.Core.Stores;

namespace ECert.Core.Ocsp;

/// <summary>A response signed ahead of time for one certificate (SHA-1 CertID, no nonce: RFC 5019).</summary>
public sealed record PresignedResponse(string SerialHex, string CaSlug, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, byte[] Der);

/// <summary>A certificate whose pre-signed response is missing or will soon expire.</summary>
public sealed record ResponseDue(long Position, CertificateRecord Certificate);

/// <summary>Where pre-signed OCSP responses are kept, and the log of status changes that withdraw them.</summary>
public interface IOcspResponseStore
{
    PresignedResponse? Find(string serialHex);

    /// <summary>
    /// Stores the response unless the certificate's status changed after <paramref name="statusAsOf"/>
    /// was read (its state or status time differ); false when it was not stored.
    /// </summary>
    bool SaveIfCurrent(PresignedResponse response, CertificateRecord statusAsOf);

    /// <summary>The same for many responses in one transaction; returns how many were stored.</summary>
    int SaveAllIfCurrent(IReadOnlyList<(PresignedResponse Response, CertificateRecord StatusAsOf)> responses);

    /// <summary>
    /// Certificates after <paramref name="afterPosition"/> (in store order) that are issued, not
    /// expired at <paramref name="now"/>, and whose response is missing or ends before
    /// <paramref name="refreshBefore"/>; at most <paramref name="limit"/>, and the position the scan reached.
    /// </summary>
    (IReadOnlyList<ResponseDue> Due, long ReachedPosition, bool Finished) FindDue(long afterPosition, int limit, DateTimeOffset now, DateTimeOffset refreshBefore);

    /// <summary>
    /// Stored responses that end before <paramref name="refreshBefore"/>, soonest first, found by
    /// their nextUpdate (not by looking at every certificate): at most <paramref name="limit"/>
    /// responses examined, of which those of certificates still answerable at <paramref name="now"/>
    /// are returned; those of certificates that no longer are (expired, abandoned) are deleted.
    /// <c>Examined &lt; limit</c> means no other response is due.
    /// </summary>
    (IReadOnlyList<ResponseDue> Due, int Examined) FindExpiring(int limit, DateTimeOffset now, DateTimeOffset refreshBefore);

    /// <summary>The id of the latest status change, the watermark polling starts from.</summary>
    long LatestChange();

    /// <summary>Serials whose status changed after change <paramref name="afterId"/>, and the latest id seen.</summary>
    (IReadOnlyList<string> Serials, long LatestId) ChangesSince(long afterId, int limit = 10_000);

    /// <summary>Forgets changes older than <paramref name="before"/> (responders poll far more often).</summary>
    void PruneChanges(DateTimeOffset before);
}
