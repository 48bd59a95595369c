using ECert.Core.Asn1;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Settings;
using ECert.Core.Stores;

namespace ECert.Core.Crl;

/// <summary>The result of one CRL run, for progress lines and operations reports.</summary>
public sealed record CrlRunReport(string CaSlug, int? Partition, long Number, int Entries, long Bytes, TimeSpan Elapsed);

/// <summary>
/// Issues CRLs: for each issuing CA a full CRL and one CRL per partition (each with an Issuing
/// Distribution Point naming the partition URL that its certificates carry), and the root's CRL
/// covering the issuing CAs. Suspended certificates are listed with reason certificateHold.
/// Entries and CRL numbers come from one store snapshot, so when two processes publish at once the
/// CRL with the higher number is never the one that misses a revocation. Each CRL is streamed from
/// the store through the encoder (a scratch file holds the entries) back into the store, so memory
/// stays small whatever the number of entries.
/// </summary>
public sealed class CrlPublisher(ICaStore cas, ICertificateStore store, IKeyStore keys, CaSettings settings, TimeProvider time)
{
    private readonly CrlSchedule _schedule = new(settings.CrlSchedule);
    private readonly CaUrls _urls = new(settings.BaseUrl);

    /// <summary>
    /// Issues every CRL of every issuing CA now. The root's CRL is signed with the root key, which
    /// is used only in key ceremonies under dual control: only <c>init</c> (itself the founding
    /// ceremony) and an executed <c>root-crl</c> ceremony pass <paramref name="includeRoots"/>.
    /// </summary>
    public IReadOnlyList<CrlRunReport> PublishAll(bool includeRoots = false)
    {
        var reports = new List<CrlRunReport>();
        foreach (var ca in cas.ListCas().Where(c => includeRoots || c.Role != CaRole.Root))
            reports.AddRange(Publish(ca));
        return reports;
    }

    /// <summary>True when some CRL is missing or past the schedule time that should have replaced it.</summary>
    public bool IsAnyCrlDue(DateTimeOffset now)
    {
        var coverage = store.CrlCoverage().ToDictionary(c => c.CaSlug);
        var grace = TimeSpan.FromMinutes(settings.CrlSchedule.NextUpdateGraceMinutes);
        foreach (var ca in cas.ListCas().Where(c => c.Role != CaRole.Root))
        {
            if (!coverage.TryGetValue(ca.Slug, out var crls) || crls.EarliestNextUpdate is not { } nextUpdate) return true;
            if (nextUpdate - grace <= now) return true;
            if (ca.Role == CaRole.Issuing && crls.SomePartitionLacksCrl) return true;
        }
        return false;
    }

    /// <summary>
    /// Issues the CA's full CRL and, for an issuing CA, every partition's, all from one snapshot.
    /// With <paramref name="fullOnly"/> only the full CRL: the partitions keep their current CRLs
    /// (valid to their nextUpdate), and the numbers the snapshot set aside for them stay unused,
    /// which RFC 5280 allows (CRL numbers increase; they need not be consecutive).
    /// </summary>
    public IReadOnlyList<CrlRunReport> Publish(CaRecord ca, bool fullOnly = false)
    {
        var now = DerWriting.TruncateToSeconds(time.GetUtcNow());
        var nextUpdate = ca.Role == CaRole.Root
            ? now.AddDays(settings.CrlSchedule.RootCrlValidityDays)
            : _schedule.NextUpdate(now);
        var key = keys.GetSigningKey(ca.KeyId);
        using var snapshot = store.OpenCrlSnapshot(ca.Slug, now);
        using var scratch = OpenScratch();
        var reports = new List<CrlRunReport> { Issue(ca, key, null, snapshot.FirstNumber, snapshot.Entries(null), now, nextUpdate, scratch) };
        if (ca.Role == CaRole.Issuing && !fullOnly)
            for (var partition = 0; partition < snapshot.PartitionCount; partition++)
                reports.Add(Issue(ca, key, partition, snapshot.FirstNumber + 1 + partition, snapshot.Entries(partition), now, nextUpdate, scratch));
        return reports;
    }

    /// <summary>
    /// Publishes a partition's first CRL if it has none yet, so the URL written into a certificate
    /// answers from the moment the certificate exists.
    /// </summary>
    public CrlRunReport? EnsurePartitionPublished(CaRecord ca, int partition)
    {
        if (store.FindLatestCrl(ca.Slug, partition) is not null) return null;
        var now = DerWriting.TruncateToSeconds(time.GetUtcNow());
        using var snapshot = store.OpenCrlSnapshot(ca.Slug, now, partition);
        using var scratch = OpenScratch();
        return Issue(ca, keys.GetSigningKey(ca.KeyId), partition, snapshot.FirstNumber, snapshot.Entries(partition), now, _schedule.NextUpdate(now), scratch);
    }

    /// <summary>
    /// The file the encoder spools a CRL's entries into (owner-only, deleted when closed): serials
    /// and dates only, nothing that is not published in the CRL itself.
    /// </summary>
    private static FileStream OpenScratch() => new(
        Path.Combine(Path.GetTempPath(), $"ecert-crl-{Guid.NewGuid():N}.tmp"),
        new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.DeleteOnClose,
            BufferSize = 1 << 16,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });

    private CrlRunReport Issue(CaRecord ca, SigningKey key, int? partition, long number, IEnumerable<RevokedEntry> entries,
        DateTimeOffset now, DateTimeOffset nextUpdate, Stream scratch)
    {
        var started = time.GetTimestamp();
        var header = new CrlHeader(
            ca.Certificate.SubjectName.RawData,
            ca.SubjectKeyIdentifier,
            number,
            now,
            nextUpdate,
            partition is { } p ? _urls.PartitionCrl(ca.Slug, p) : null);
        var crl = CrlEncoder.EncodeAndSign(header, entries, key, scratch);
        SignatureCheck.RequireValidOverHash(crl.TbsHash, crl.Hash, crl.Signature, ca.Certificate);
        store.SaveCrl(new CrlRecord(ca.Slug, partition, header.Number, now, nextUpdate, crl.EntryCount, crl.Length), crl.WriteTo);
        return new CrlRunReport(ca.Slug, partition, header.Number, crl.EntryCount, crl.Length, time.GetElapsedTime(started));
    }
}
