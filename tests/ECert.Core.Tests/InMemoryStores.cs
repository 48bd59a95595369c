using System.Collections.Concurrent;
using ECert.Core;
using ECert.Core.Keys;
using ECert.Core.Ocsp;
using ECert.Core.Stores;

namespace ECert.Core.Tests;

/// <summary>Stores and a keystore in memory, with the same rules as the SQLite ones, for pipeline tests.</summary>
internal sealed class InMemoryStores : ICaStore, ICertificateStore, IKeyStore, IOcspResponseStore
{
    private readonly Dictionary<string, PresignedResponse> _responses = [];
    private readonly List<string> _changes = [];
    private readonly List<CaRecord> _cas = [];
    private readonly Dictionary<string, OcspResponderRecord> _responders = [];
    private readonly Dictionary<string, CertificateRecord> _certificates = [];
    private readonly Dictionary<string, int> _issued = [];
    private readonly List<(CrlRecord Record, byte[] Der)> _crls = [];
    private readonly ConcurrentDictionary<string, SigningKey> _keys = new();
    private readonly Dictionary<string, byte[]> _secrets = [];
    private long _srn;
    private long _crlNumber;

    public IReadOnlyList<CaRecord> ListCas() => _cas;
    public CaRecord? FindCa(string slug) => _cas.FirstOrDefault(c => c.Slug == slug);
    public void AddCa(CaRecord ca) => _cas.Add(ca);
    public OcspResponderRecord? FindResponder(string caSlug) => _responders.GetValueOrDefault(caSlug);
    public void SaveResponder(OcspResponderRecord responder) => _responders[responder.CaSlug] = responder;

    public int CertificateCount => _certificates.Count;

    public string AllocateSrn() => (++_srn).ToString("D10");

    public int Reserve(CertificateReservation r, int partitionSize)
    {
        if (_certificates.ContainsKey(r.SerialHex)) throw ECertException.Conflict("serial used");
        var issued = _issued[r.CaSlug] = _issued.GetValueOrDefault(r.CaSlug) + 1;
        var partition = (issued - 1) / partitionSize;
        _certificates[r.SerialHex] = new CertificateRecord
        {
            SerialHex = r.SerialHex, CaSlug = r.CaSlug, Profile = r.Profile, Partition = partition, SubjectDisplay = r.SubjectDisplay,
            Srn = r.Srn, NotBefore = r.NotBefore, NotAfter = r.NotAfter, State = CertificateState.Reserved,
        };
        return partition;
    }

    public void CompleteIssuance(string serialHex, byte[] der, bool published)
    {
        _certificates[serialHex] = _certificates[serialHex] with { State = CertificateState.Valid, Der = der, Published = published };
        lock (_responses) _changes.Add(serialHex);
    }

    public void Publish(string serialHex) => _certificates[serialHex] = _certificates[serialHex] with { Published = true };

    public void AbandonIssuance(string serialHex, string why) =>
        _certificates[serialHex] = _certificates[serialHex] with { State = CertificateState.Abandoned };

    public bool ChangeStatus(StatusChange change)
    {
        var record = _certificates[change.SerialHex];
        if (record.State != change.From) return false;
        lock (_responses)
        {
            _responses.Remove(change.SerialHex);
            _changes.Add(change.SerialHex);
        }
        var listed = change.To is CertificateState.Revoked or CertificateState.Suspended;
        _certificates[change.SerialHex] = record with
        {
            State = change.To, RevokedAt = listed ? change.At : null, Reason = listed ? change.Reason : null,
            InvalidityDate = change.InvalidityDate, StatusChangedAt = change.At,
            SuspendedFor = change.To == CertificateState.Suspended ? change.SuspendedFor ?? "request" : null,
        };
        return true;
    }

    public CertificateRecord? FindCertificate(string serialHex) => _certificates.GetValueOrDefault(serialHex);

    public ICrlSnapshot OpenCrlSnapshot(string caSlug, DateTimeOffset at, int? onlyPartition = null)
    {
        var entries = _certificates.Values
            .Where(c => c.CaSlug == caSlug && c.State is CertificateState.Revoked or CertificateState.Suspended && c.NotAfter >= at)
            .OrderBy(c => c.Partition).ThenBy(c => c.SerialHex, StringComparer.Ordinal)
            .Select(c => new RevokedEntry(c.SerialHex, c.Partition, c.RevokedAt!.Value, c.Reason!.Value, c.InvalidityDate)).ToList();
        var partitions = PartitionCount(caSlug);
        var numbers = onlyPartition is null ? 1 + partitions : 1;
        _crlNumber += numbers;
        return new Snapshot(_crlNumber - numbers + 1, partitions, entries);
    }

    private sealed class Snapshot(long firstNumber, int partitionCount, List<RevokedEntry> entries) : ICrlSnapshot
    {
        public long FirstNumber => firstNumber;
        public int PartitionCount => partitionCount;
        public IEnumerable<RevokedEntry> Entries(int? partition) => entries.Where(e => partition is null || e.Partition == partition);
        public void Dispose() { }
    }

    public int PartitionCount(string caSlug) =>
        _certificates.Values.Where(c => c.CaSlug == caSlug).Select(c => c.Partition + 1).DefaultIfEmpty(1).Max();

    public IReadOnlyList<CrlCoverage> CrlCoverage() =>
        _cas.Select(ca => new CrlCoverage(ca.Slug,
            FindLatestCrl(ca.Slug, null) is null ? null
                : _crls.Where(c => c.Record.CaSlug == ca.Slug).GroupBy(c => c.Record.Partition).Min(g => g.MaxBy(c => c.Record.Number).Record.NextUpdate),
            Enumerable.Range(0, PartitionCount(ca.Slug)).Any(p => FindLatestCrl(ca.Slug, p) is null))).ToList();

    public void SaveCrl(CrlRecord crl, Action<Stream> writeDer)
    {
        using var der = new MemoryStream();
        writeDer(der);
        if (der.Length != crl.Bytes) throw new InvalidOperationException($"CRL of {der.Length} bytes announced as {crl.Bytes}");
        _crls.Add((crl, der.ToArray()));
    }

    public CrlRecord? FindLatestCrl(string caSlug, int? partition) =>
        _crls.Where(c => c.Record.CaSlug == caSlug && c.Record.Partition == partition).Select(c => c.Record).MaxBy(c => c.Number);

    public Stream? OpenCrl(CrlRecord crl) =>
        _crls.Where(c => c.Record == crl).Select(c => new MemoryStream(c.Der, writable: false)).FirstOrDefault();

    /// <summary>The latest CRL of a scope, whole, for assertions.</summary>
    public byte[] LatestCrlDer(string caSlug, int? partition) =>
        _crls.Where(c => c.Record.CaSlug == caSlug && c.Record.Partition == partition).OrderBy(c => c.Record.Number).Last().Der;

    public SigningKey CreateSigningKey(string keyId, KeyAlgorithm algorithm) =>
        _keys[keyId] = SigningKey.FromKey(keyId, algorithm.Generate());
    public SigningKey GetSigningKey(string keyId) =>
        _keys.TryGetValue(keyId, out var key) ? key : throw ECertException.NotFound($"key {keyId}");
    public byte[] CreateSecret(string secretId, int length) => _secrets[secretId] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
    public byte[] GetSecret(string secretId) => _secrets[secretId];

    public PresignedResponse? Find(string serialHex)
    {
        lock (_responses) return _responses.GetValueOrDefault(serialHex);
    }

    public bool SaveIfCurrent(PresignedResponse response, CertificateRecord statusAsOf)
    {
        lock (_responses)
        {
            var current = FindCertificate(response.SerialHex);
            if (current is null || current.State != statusAsOf.State || current.StatusChangedAt != statusAsOf.StatusChangedAt) return false;
            _responses[response.SerialHex] = response;
            return true;
        }
    }

    public int SaveAllIfCurrent(IReadOnlyList<(PresignedResponse Response, CertificateRecord StatusAsOf)> responses) =>
        responses.Count(r => SaveIfCurrent(r.Response, r.StatusAsOf));

    public (IReadOnlyList<ResponseDue> Due, long ReachedPosition, bool Finished) FindDue(long afterPosition, int limit, DateTimeOffset now, DateTimeOffset refreshBefore)
    {
        lock (_responses)
        {
            var due = _certificates.Values.Select((c, i) => (Position: i + 1L, Certificate: c))
                .Where(x => x.Position > afterPosition && x.Certificate.State is CertificateState.Valid or CertificateState.Suspended or CertificateState.Revoked
                    && x.Certificate.NotAfter > now
                    && (!_responses.TryGetValue(x.Certificate.SerialHex, out var r) || r.NextUpdate <= refreshBefore))
                .Take(limit).Select(x => new ResponseDue(x.Position, x.Certificate)).ToList();
            return (due, due.Count > 0 ? due[^1].Position : afterPosition, due.Count < limit);
        }
    }

    public (IReadOnlyList<ResponseDue> Due, int Examined) FindExpiring(int limit, DateTimeOffset now, DateTimeOffset refreshBefore)
    {
        lock (_responses)
        {
            var due = new List<ResponseDue>();
            var examined = _responses.Values.Where(r => r.NextUpdate <= refreshBefore).OrderBy(r => r.NextUpdate).Take(limit).ToList();
            foreach (var response in examined)
            {
                var position = _certificates.Keys.ToList().IndexOf(response.SerialHex) + 1L;
                if (_certificates.TryGetValue(response.SerialHex, out var certificate) && certificate.NotAfter > now
                    && certificate.State is CertificateState.Valid or CertificateState.Suspended or CertificateState.Revoked)
                    due.Add(new ResponseDue(position, certificate));
                else
                    _responses.Remove(response.SerialHex);
            }
            return (due, examined.Count);
        }
    }

    public long LatestChange()
    {
        lock (_responses) return _changes.Count;
    }

    public (IReadOnlyList<string> Serials, long LatestId) ChangesSince(long afterId, int limit = 10_000)
    {
        lock (_responses) return (_changes.Skip((int)afterId).Take(limit).ToList(), Math.Min(_changes.Count, afterId + limit));
    }

    public void PruneChanges(DateTimeOffset before) { }
}
