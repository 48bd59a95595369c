using ECert.Core.Audit;

namespace ECert.Core.Privacy;

/// <summary>A subscriber whose personal data has outlived its purpose.</summary>
public sealed record RetentionCandidate(string Srn, DateTimeOffset LastActivity);

public sealed record RetentionReport(bool DryRun, DateTimeOffset Cutoff, IReadOnlyList<RetentionCandidate> Anonymised);

public interface IRetentionStore
{
    /// <summary>
    /// Persons and members not yet anonymised whose last certificate expired (or, with none, who
    /// registered) before <paramref name="cutoff"/>, and who have no open application.
    /// </summary>
    IReadOnlyList<RetentionCandidate> ListRetentionCandidates(DateTimeOffset cutoff);

    /// <summary>Removes a subscriber's personal data, keeping the SRN and the records that refer to it.</summary>
    void Anonymise(string srn, DateTimeOffset at);
}

/// <summary>
/// The retention schedule (PDPO principle 2: not kept longer than necessary). Personal data is
/// anonymised <c>Retention.AnonymiseAfterYears</c> after the subscriber's last certificate expired:
/// name, Chinese name, e-mail addresses, postal address and the identity-number hash go; the SRN,
/// certificates, payments, status history and the audit trail stay, as the assessor and the
/// Government need them.
/// </summary>
public sealed class RetentionService(IRetentionStore store, AuditTrail audit, int anonymiseAfterYears, TimeProvider time)
{
    public RetentionReport Run(bool dryRun, AuditActor actor)
    {
        if (anonymiseAfterYears < 1) throw ECertException.Invalid("Retention.AnonymiseAfterYears must be at least 1");
        var now = time.GetUtcNow();
        var cutoff = now.AddYears(-anonymiseAfterYears);
        var candidates = store.ListRetentionCandidates(cutoff);
        if (!dryRun)
            foreach (var candidate in candidates)
            {
                store.Anonymise(candidate.Srn, now);
                audit.Record(new AuditEvent(actor.Role, actor.Id, "personal-data.anonymised", candidate.Srn, actor.Outlet, "retention",
                    Detail: $"last-activity={candidate.LastActivity:yyyy-MM-dd}"));
            }
        return new RetentionReport(dryRun, cutoff, candidates);
    }
}
