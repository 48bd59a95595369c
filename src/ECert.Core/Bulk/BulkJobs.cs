using ECert.Core.Status;

namespace ECert.Core.Bulk;

public enum BulkKind { Issue, Revoke }

/// <summary>
/// A bulk job (a bureau file being issued, a list of serials being revoked) and how far it has
/// durably got. The offsets say where the input resumes and where the output and reject files end:
/// after a crash the files are cut back to them, so every input line ends in exactly one result.
/// </summary>
public sealed record BulkJob
{
    public long Id { get; init; }
    public required BulkKind Kind { get; init; }
    /// <summary>Identifies the job from its arguments: the same command line resumes the same job.</summary>
    public required string JobKey { get; init; }
    public string? Profile { get; init; }
    public RevocationReason? Reason { get; init; }
    public required string InputPath { get; init; }
    public required long InputSize { get; init; }
    public required DateTimeOffset InputModified { get; init; }
    public string? OutputPath { get; init; }
    public required string RejectPath { get; init; }
    public BulkCheckpoint Checkpoint { get; init; } = BulkCheckpoint.Start;
    public int Runs { get; init; } = 1;
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>When the retention schedule removed the job's cardholders' names and card numbers (an unfinished job so marked never resumes).</summary>
    public DateTimeOffset? AnonymisedAt { get; init; }
}

/// <summary>What is durably done: input consumed up to <see cref="InputOffset"/> (the next line is <see cref="NextLine"/>).</summary>
public sealed record BulkCheckpoint(long InputOffset, long NextLine, long OutputOffset, long RejectOffset, long Done, long Rejected)
{
    public static readonly BulkCheckpoint Start = new(0, 1, 0, 0, 0, 0);
}

/// <summary>A serial reserved for one line of a bureau file, before the key signs.</summary>
public sealed record BulkReservation(string SerialHex, long Line, string CardNumber, string SubjectDisplay);

/// <summary>What the store fixed for a reservation: the subscriber's new SRN and the CRL partition.</summary>
public sealed record ReservedSlot(string Srn, int Partition);

/// <summary>
/// A batch reserved before signing, as the store holds it until the batch is committed: the
/// records' serials with, in the same order, their SRNs and partitions.
/// </summary>
public sealed record ReservedBulkBatch(long Id, string CaSlug, string Profile, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    DateTimeOffset ReservedAt, IReadOnlyList<BulkReservation> Reservations, IReadOnlyList<ReservedSlot> Slots);

/// <summary>The signed certificate of reservation number <see cref="Index"/> of a batch.</summary>
public sealed record BulkIssued(int Index, byte[] Der);

/// <summary>A reservation of a batch that was not signed (a signing or pre-issuance check failed): its serial is abandoned.</summary>
public sealed record BulkAbandoned(int Index, string Why);

/// <summary>The outcome of one serial of a bulk revocation batch.</summary>
public enum BulkRevocationOutcome { Revoked, AlreadyRevoked, NotFound }

/// <summary>Where bulk jobs keep their progress; each batch is one transaction with its checkpoint.</summary>
public interface IBulkStore
{
    BulkJob? FindJob(string jobKey);

    BulkJob CreateJob(BulkJob job);

    /// <summary>
    /// Starts another run of an unfinished job: the serials of its batches reserved but never
    /// committed are stored as abandoned (never reused, never signed again). Returns how many.
    /// </summary>
    int ResumeJob(long jobId, DateTimeOffset at);

    /// <summary>
    /// In one transaction: a new SRN for each record, the CA's issue count and each serial's CRL
    /// partition, and one row holding the batch's serials until it is committed. The slots are in
    /// the order of <paramref name="reservations"/>.
    /// </summary>
    ReservedBulkBatch ReserveBatch(long jobId, string caSlug, string profile, IReadOnlyList<BulkReservation> reservations,
        DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset reservedAt, int partitionSize);

    /// <summary>
    /// In one transaction: the signed certificates stored as valid and published, the reservations
    /// not signed stored as abandoned, the batch's reservation row gone, the checkpoint moved.
    /// </summary>
    void CompleteIssueBatch(long jobId, ReservedBulkBatch batch, IReadOnlyList<BulkIssued> issued, IReadOnlyList<BulkAbandoned> abandoned,
        BulkCheckpoint checkpoint, DateTimeOffset at);

    /// <summary>
    /// The card number and input line of each record the job took before line <paramref name="beforeLine"/>
    /// (its checkpoint): issued, or abandoned because its signing failed. For a resumed job.
    /// </summary>
    void ForEachTakenCard(long jobId, long beforeLine, Action<string, long> card);

    /// <summary>The outcome a revocation of each serial would have now (read only).</summary>
    IReadOnlyList<BulkRevocationOutcome> CheckRevocations(IReadOnlyList<string> serials);

    /// <summary>
    /// In one transaction: revokes each serial still valid or suspended (compare-and-set, with its
    /// status history and its pre-signed OCSP response withdrawn) and moves the checkpoint.
    /// Returns how many were revoked by this call.
    /// </summary>
    int RevokeBatch(long jobId, IReadOnlyList<string> serials, RevocationReason reason, DateTimeOffset at, BulkCheckpoint checkpoint);

    void CompleteJob(long jobId, DateTimeOffset at);
}
