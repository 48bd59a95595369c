using ECert.Core.Keys;
using ECert.Core.Stores;

namespace ECert.Core.Audit;

/// <summary>Who is acting, as the edge (CLI, REST API, server) knows it.</summary>
public sealed record AuditActor(string Role, string Id, string? Outlet = null, string? Purpose = null);

/// <summary>
/// Records every write of the issuance store in the audit trail: reservations, issued and
/// abandoned certificates, status changes, publication, CRLs. Reads pass through unrecorded.
/// Decorating the store means no path that changes a certificate can skip the trail.
/// </summary>
public sealed class AuditedCertificateStore(ICertificateStore inner, AuditTrail audit, Func<AuditActor> actor) : ICertificateStore
{
    private void Record(string action, string? subject, string? detail = null, string outcome = "ok")
    {
        var who = actor();
        audit.Record(new AuditEvent(who.Role, who.Id, action, subject, who.Outlet, who.Purpose, outcome, detail));
    }

    public CertificateRecord? FindCertificate(string serialHex) => inner.FindCertificate(serialHex);
    public CrlRecord? FindLatestCrl(string caSlug, int? partition) => inner.FindLatestCrl(caSlug, partition);
    public Stream? OpenCrl(CrlRecord crl) => inner.OpenCrl(crl);
    public int PartitionCount(string caSlug) => inner.PartitionCount(caSlug);
    public IReadOnlyList<CrlCoverage> CrlCoverage() => inner.CrlCoverage();
    public string AllocateSrn() => inner.AllocateSrn();

    public int Reserve(CertificateReservation reservation, int partitionSize)
    {
        var partition = inner.Reserve(reservation, partitionSize);
        Record("certificate.reserved", reservation.SerialHex, $"ca={reservation.CaSlug} profile={reservation.Profile} partition={partition} srn={reservation.Srn}");
        return partition;
    }

    public void CompleteIssuance(string serialHex, byte[] der, bool published)
    {
        inner.CompleteIssuance(serialHex, der, published);
        Record("certificate.issued", serialHex, $"sha256={Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(der))} published={published}");
    }

    public void Publish(string serialHex)
    {
        inner.Publish(serialHex);
        Record("certificate.published", serialHex);
    }

    public void AbandonIssuance(string serialHex, string why)
    {
        inner.AbandonIssuance(serialHex, why);
        Record("certificate.abandoned", serialHex, why, "failed");
    }

    public bool ChangeStatus(StatusChange change)
    {
        var changed = inner.ChangeStatus(change);
        Record("certificate.status", change.SerialHex,
            $"{change.From}->{change.To} reason={change.Reason?.ToString() ?? "-"} cause={change.SuspendedFor ?? "-"}", changed ? "ok" : "conflict");
        return changed;
    }

    public ICrlSnapshot OpenCrlSnapshot(string caSlug, DateTimeOffset at, int? onlyPartition = null) => inner.OpenCrlSnapshot(caSlug, at, onlyPartition);

    public void SaveCrl(CrlRecord crl, Action<Stream> writeDer)
    {
        inner.SaveCrl(crl, writeDer);
        Record("crl.published", crl.Partition is { } p ? $"{crl.CaSlug}/{p}" : crl.CaSlug, $"number={crl.Number} entries={crl.EntryCount}");
    }
}

/// <summary>Records key creation and every opening of a key (once per process) in the audit trail.</summary>
public sealed class AuditedKeyStore(IKeyStore inner, AuditTrail audit, Func<AuditActor> actor) : IKeyStore
{
    private readonly HashSet<string> _opened = [];

    private void Record(string action, string subject, string? detail = null)
    {
        var who = actor();
        audit.Record(new AuditEvent(who.Role, who.Id, action, subject, who.Outlet, who.Purpose, "ok", detail));
    }

    public SigningKey CreateSigningKey(string keyId, KeyAlgorithm algorithm)
    {
        var key = inner.CreateSigningKey(keyId, algorithm);
        Record("key.created", keyId, algorithm.Name());
        return key;
    }

    public SigningKey GetSigningKey(string keyId)
    {
        var key = inner.GetSigningKey(keyId);
        lock (_opened)
            if (!_opened.Add(keyId)) return key;
        Record("key.opened", keyId);
        return key;
    }

    public byte[] CreateSecret(string secretId, int length)
    {
        var secret = inner.CreateSecret(secretId, length);
        Record("secret.created", secretId);
        return secret;
    }

    public byte[] GetSecret(string secretId) => inner.GetSecret(secretId);
}
