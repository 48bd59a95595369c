using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ECert.Core.Keys;

namespace ECert.Core.Audit;

/// <summary>
/// What happened, as an assessor needs it: who (role and identity), what, about what, where
/// (outlet), why (purpose) and the outcome. Never personal data in clear: subjects are serials,
/// SRNs, application ids.
/// </summary>
public sealed record AuditEvent(
    string ActorRole,
    string ActorId,
    string Action,
    string? Subject = null,
    string? Outlet = null,
    string? Purpose = null,
    string Outcome = "ok",
    string? Detail = null);

/// <summary>One entry of the trail: the event, its place in the chain, and the hash that links it.</summary>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, AuditEvent Event, byte[] PreviousHash, byte[] Hash);

/// <summary>A signature by the audit key over the chain's hash at one entry.</summary>
public sealed record AuditCheckpoint(long Sequence, byte[] Hash, DateTimeOffset At, string KeyId, byte[] Signature);

/// <summary>The result of checking the whole trail.</summary>
public sealed record AuditVerification(bool Intact, int Entries, int Checkpoints, long? FirstBadSequence, string? Problem);

/// <summary>The append-only store of the trail.</summary>
public interface IAuditStore
{
    /// <summary>Appends in one transaction: reads the last entry, links to it, writes the new one.</summary>
    AuditEntry Append(AuditEvent auditEvent, DateTimeOffset at, Func<long, DateTimeOffset, AuditEvent, byte[], byte[]> hash);
    IEnumerable<AuditEntry> ReadAll();
    AuditEntry? Last();
    void AddCheckpoint(AuditCheckpoint checkpoint);
    IReadOnlyList<AuditCheckpoint> ListCheckpoints();
}

/// <summary>
/// The tamper-evident audit trail. Each entry's hash is SHA-256 over its sequence number, time,
/// every field of the event and the previous entry's hash, so editing, deleting, inserting or
/// reordering entries breaks the chain at the first entry touched. Checkpoints sign the chain's
/// hash with the audit key, so a chain rewritten from scratch by someone without that key is caught
/// too. See docs/audit.md.
/// </summary>
public sealed class AuditTrail(IAuditStore store, IKeyStore keys, TimeProvider time)
{
    public const string AuditKeyId = "audit-g1";

    /// <summary>The hash of the (empty) chain before the first entry.</summary>
    public static readonly byte[] Genesis = new byte[32];

    public AuditEntry Record(AuditEvent auditEvent) => store.Append(auditEvent, time.GetUtcNow(), ComputeHash);

    public IEnumerable<AuditEntry> Entries(long fromSequence = 1) => store.ReadAll().Where(e => e.Sequence >= fromSequence);

    /// <summary>Signs the chain's current hash with the audit key.</summary>
    public AuditCheckpoint? Checkpoint()
    {
        var last = store.Last();
        if (last is null) return null;
        SigningKey key;
        try { key = keys.GetSigningKey(AuditKeyId); }
        catch (ECertException e) when (e.Kind == ErrorKind.NotFound) { key = keys.CreateSigningKey(AuditKeyId, KeyAlgorithm.P256); }
        var checkpoint = new AuditCheckpoint(last.Sequence, last.Hash, time.GetUtcNow(), key.KeyId, key.Sign(CheckpointMessage(last.Sequence, last.Hash)));
        store.AddCheckpoint(checkpoint);
        return checkpoint;
    }

    /// <summary>Checks every link, every hash and every checkpoint; names the first bad entry.</summary>
    public AuditVerification Verify()
    {
        var checkpoints = store.ListCheckpoints();
        var previous = Genesis;
        long expected = 1;
        var count = 0;
        var hashes = new Dictionary<long, byte[]>();
        foreach (var entry in store.ReadAll())
        {
            count++;
            if (entry.Sequence != expected)
                return Bad(count, entry.Sequence < expected ? entry.Sequence : expected,
                    entry.Sequence < expected ? $"entry {entry.Sequence} is out of order" : $"entry {expected} is missing (the next one is {entry.Sequence})");
            if (!entry.PreviousHash.AsSpan().SequenceEqual(previous))
                return Bad(count, entry.Sequence, $"entry {entry.Sequence} does not link to entry {entry.Sequence - 1}: an entry was inserted, removed or changed before it");
            var recomputed = ComputeHash(entry.Sequence, entry.At, entry.Event, entry.PreviousHash);
            if (!entry.Hash.AsSpan().SequenceEqual(recomputed))
                return Bad(count, entry.Sequence, $"entry {entry.Sequence} was altered: its content does not match its hash");
            hashes[entry.Sequence] = entry.Hash;
            previous = entry.Hash;
            expected++;
        }

        foreach (var checkpoint in checkpoints.OrderBy(c => c.Sequence))
        {
            var key = keys.GetSigningKey(checkpoint.KeyId);
            if (!VerifySignature(key, CheckpointMessage(checkpoint.Sequence, checkpoint.Hash), checkpoint.Signature))
                return Bad(count, checkpoint.Sequence, $"the checkpoint at entry {checkpoint.Sequence} has a bad signature");
            if (!hashes.TryGetValue(checkpoint.Sequence, out var hash))
                return Bad(count, checkpoint.Sequence, $"entry {checkpoint.Sequence}, signed in a checkpoint, is missing");
            // A chain rewritten from scratch is consistent in itself: what can be named is the
            // earliest signed entry that no longer matches its signature.
            if (!hash.AsSpan().SequenceEqual(checkpoint.Hash))
                return Bad(count, checkpoint.Sequence, $"the chain up to entry {checkpoint.Sequence} was rewritten after it was signed");
        }
        return new AuditVerification(true, count, checkpoints.Count, null, null);

        AuditVerification Bad(int entries, long sequence, string problem) => new(false, entries, checkpoints.Count, sequence, problem);
    }

    public static byte[] ComputeHash(long sequence, DateTimeOffset at, AuditEvent e, byte[] previousHash)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, sequence);
        hash.AppendData(number);
        BinaryPrimitives.WriteInt64BigEndian(number, at.ToUnixTimeMilliseconds());
        hash.AppendData(number);
        foreach (var field in new[] { e.ActorRole, e.ActorId, e.Action, e.Subject, e.Outlet, e.Purpose, e.Outcome, e.Detail })
        {
            // Length-prefixed, with -1 for an absent field: no two different events hash the same bytes.
            var bytes = field is null ? null : Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt64BigEndian(number, bytes?.Length ?? -1);
            hash.AppendData(number);
            if (bytes is not null) hash.AppendData(bytes);
        }
        hash.AppendData(previousHash);
        return hash.GetHashAndReset();
    }

    private static byte[] CheckpointMessage(long sequence, byte[] hash) =>
        [.. Encoding.ASCII.GetBytes($"ECert audit checkpoint {sequence}:"), .. hash];

    private static bool VerifySignature(SigningKey key, byte[] message, byte[] signature)
    {
        var publicKey = key.PublicKey;
        if (publicKey.GetRSAPublicKey() is { } rsa)
            using (rsa) return rsa.VerifyData(message, signature, key.Hash, RSASignaturePadding.Pkcs1);
        using var ec = publicKey.GetECDsaPublicKey()!;
        return ec.VerifyData(message, signature, key.Hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
