using System.Collections.Concurrent;

namespace ECert.Core.Ocsp;

/// <summary>A pre-signed response as the responder serves it, with its HTTP validator computed once.</summary>
public sealed record CachedResponse(string CaSlug, OcspResult Result, DateTimeOffset NextUpdate)
{
    /// <summary>What an entry is charged against the budget: the response plus the bookkeeping around it.</summary>
    public long Cost => Result.Der.Length + 256;
}

/// <summary>
/// The responder's in-memory cache of pre-signed responses, bounded in bytes whatever the number of
/// certificates. When full it evicts entries in the dictionary's own order, which has nothing to
/// do with how often they are asked for: close to random eviction, cheap and fair enough for a
/// population where a few certificates are hot and most are cold.
/// Status changes are seen by polling the store's change log (<see cref="Forget"/>). An answer is
/// cached only if no change was polled between reading it and adding it (the watermark check in
/// <see cref="TryAdd"/>), so a withdrawn answer never comes back; under heavy churn a few answers
/// are served without being cached, never served stale.
/// </summary>
public sealed class OcspResponseCache(long budgetBytes, long changeWatermark = 0)
{
    private readonly ConcurrentDictionary<string, CachedResponse> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictLock = new();
    private long _bytes;
    // Starts at the store's latest change: older changes concern nothing in an empty cache.
    private long _changeWatermark = changeWatermark;

    public long BudgetBytes { get; } = budgetBytes;
    public long Bytes => Interlocked.Read(ref _bytes);
    public int Count => _entries.Count;

    /// <summary>The id of the latest status change this cache has applied.</summary>
    public long ChangeWatermark => Interlocked.Read(ref _changeWatermark);

    public bool TryGet(string serialHex, out CachedResponse response) => _entries.TryGetValue(serialHex, out response!);

    /// <summary>
    /// Adds an entry read when the change watermark was <paramref name="watermarkWhenRead"/>; refused
    /// if a status change was polled since.
    /// </summary>
    public bool TryAdd(string serialHex, CachedResponse response, long watermarkWhenRead)
    {
        if (BudgetBytes <= 0 || ChangeWatermark != watermarkWhenRead) return false;
        if (!_entries.TryAdd(serialHex, response))
        {
            // Replace an older entry (a refreshed response) in place.
            if (!_entries.TryGetValue(serialHex, out var existing) || !_entries.TryUpdate(serialHex, response, existing)) return false;
            Interlocked.Add(ref _bytes, response.Cost - existing.Cost);
        }
        else
        {
            Interlocked.Add(ref _bytes, response.Cost);
        }
        // A change polled between the check above and the add: take the entry out again. (Forget
        // moves the watermark before it removes entries, so one of the two always catches it.)
        if (ChangeWatermark != watermarkWhenRead)
        {
            Remove(serialHex);
            return false;
        }
        if (Bytes > BudgetBytes) Evict();
        return true;
    }

    public void Remove(string serialHex)
    {
        if (_entries.TryRemove(serialHex, out var removed)) Interlocked.Add(ref _bytes, -removed.Cost);
    }

    /// <summary>Drops the answers of certificates whose status changed (change ids up to <paramref name="latestChangeId"/>).</summary>
    public void Forget(IEnumerable<string> serials, long latestChangeId)
    {
        Interlocked.Exchange(ref _changeWatermark, latestChangeId);
        foreach (var serial in serials) Remove(serial);
    }

    private void Evict()
    {
        lock (_evictLock)
        {
            var target = BudgetBytes * 9 / 10;
            foreach (var key in _entries.Keys)
            {
                if (Bytes <= target) break;
                Remove(key);
            }
        }
    }
}
