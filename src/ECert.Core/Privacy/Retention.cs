using ECert.Core.Audit;

namespace ECert.Core.Privacy;

/// <summary>A subscriber whose personal data has outlived its purpose.</summary>
public sealed record RetentionCandidate(string Srn, DateTimeOffset LastActivity);

/// <summary>
/// One bulk issuance job's cardholders known only from the bureau's file (no subscriber record)
/// who have outlived the retention period: how many certificate rows (issued or abandoned) and
/// reservations of interrupted batches hold their names, and the last expiry among them.
/// </summary>
public sealed record BulkRetentionCandidate(long JobId, long Certificates, DateTimeOffset LastExpiry);

public sealed record RetentionReport(bool DryRun, DateTimeOffset Cutoff, IReadOnlyList<RetentionCandidate> Anonymised,
    IReadOnlyList<BulkRetentionCandidate> BulkAnonymised);

public interface IRetentionStore
{
    /// <summary>
    /// Persons and members not yet anonymised whose last certificate expired (or, with none, who
    /// registered) before <paramref name="cutoff"/>, and who have no open application.
    /// </summary>
    IReadOnlyList<RetentionCandidate> ListRetentionCandidates(DateTimeOffset cutoff);

    /// <summary>Removes a subscriber's personal data, keeping the SRN and the records that refer to it.</summary>
    void Anonymise(string srn, DateTimeOffset at);

    /// <summary>
    /// Per bulk issuance job, its certificate rows not yet anonymised that expired before
    /// <paramref name="cutoff"/> and whose SRN has no subscriber record (the cardholder is known
    /// only from the bureau's file), with the reservations of batches a killed run left behind.
    /// </summary>
    IReadOnlyList<BulkRetentionCandidate> ListBulkRetentionCandidates(DateTimeOffset cutoff);

    /// <summary>
    /// Removes the cardholders' names and card numbers from those rows and reservations of the job,
    /// and marks the job so that it is never resumed; the certificates themselves, their SRNs,
    /// statuses and the reserved serials stay. Returns how many rows and reservations were anonymised.
    /// </summary>
    long AnonymiseBulkJob(long jobId, DateTimeOffset cutoff, DateTimeOffset at);
}

/// <summary>
/// The retention schedule (PDPO principle 2: not kept longer than necessary). Personal data is
/// anonymised <c>Retention.AnonymiseAfterYears</c> after the subscriber's last certificate expired:
/// name, Chinese name, e-mail addresses, postal address and the identity-number hash go; the SRN,
/// certificates, payments, status history and the audit trail stay, as the assessor and the
/// Government need them. Cardholders whose certificates were issued in bulk from the card
/// personalisation bureau's file have no subscriber record: their name and card number are kept
/// on the certificate rows, and go on the same schedule, counted per bulk job.
/// </summary>
public sealed class RetentionService(IRetentionStore store, AuditTrail audit, int anonymiseAfterYears, TimeProvider time)
{
    public RetentionReport Run(bool dryRun, AuditActor actor)
    {
        if (anonymiseAfterYears < 1) throw ECertException.Invalid("Retention.AnonymiseAfterYears must be at least 1");
        var now = time.GetUtcNow();
        var cutoff = now.AddYears(-anonymiseAfterYears);
        var candidates = store.ListRetentionCandidates(cutoff);
        var bulk = store.ListBulkRetentionCandidates(cutoff);
        if (dryRun) return new RetentionReport(dryRun, cutoff, candidates, bulk);

        foreach (var candidate in candidates)
        {
            store.Anonymise(candidate.Srn, now);
            audit.Record(new AuditEvent(actor.Role, actor.Id, "personal-data.anonymised", candidate.Srn, actor.Outlet, "retention",
                Detail: $"last-activity={candidate.LastActivity:yyyy-MM-dd}"));
        }
        var bulkDone = new List<BulkRetentionCandidate>(bulk.Count);
        foreach (var job in bulk)
        {
            var anonymised = store.AnonymiseBulkJob(job.JobId, cutoff, now);
            if (anonymised == 0) continue; // another run got there first
            bulkDone.Add(job with { Certificates = anonymised });
            audit.Record(new AuditEvent(actor.Role, actor.Id, "personal-data.anonymised", $"bulk-job:{job.JobId}", actor.Outlet, "retention",
                Detail: $"certificates={anonymised} last-expiry={job.LastExpiry:yyyy-MM-dd}"));
        }
        return new RetentionReport(dryRun, cutoff, candidates, bulkDone);
    }
}
