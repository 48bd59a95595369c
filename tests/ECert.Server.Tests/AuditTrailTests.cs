using ECert.Core.Audit;
using ECert.Core.Keys;
using ECert.Core.Settings;
using Microsoft.Data.Sqlite;

namespace ECert.Server.Tests;

/// <summary>
/// The audit trail against someone with write access to the database file: every edit, deletion,
/// insertion and reordering is detected by <c>Verify</c>, which names the first bad entry.
/// </summary>
public sealed class AuditTrailTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-audit-").FullName;
    private readonly EcertInstance _instance;

    public AuditTrailTests()
    {
        _instance = EcertInstance.Create(Path.Combine(_folder, "data"), new CaSettings(), () => "audit-test");
        _instance.Hierarchy().Create(KeyAlgorithm.P256); // keys created and opened: about twenty entries
        for (var i = 0; i < 10; i++)
            _instance.Audit.Record(new AuditEvent("ra-officer", $"ra-00{i}", "application.verify", $"APP-2026-00000{i}", "GPO", "issuance"));
        Assert.True(_instance.Audit.Verify().Intact);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>What an intruder with the database file does: lift the append-only triggers, then tamper.</summary>
    private void Tamper(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "data", "ecert.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_entries_append_only_update; DROP TRIGGER IF EXISTS audit_entries_append_only_delete; " + sql;
        command.ExecuteNonQuery();
    }

    private long Count() => _instance.Audit.Entries().LongCount();

    [Fact]
    public void TheTrailIsAppendOnlyInTheDatabase()
    {
        using var connection = _instance.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM audit_entries WHERE seq = 1";
        Assert.Contains("append-only", Assert.Throws<SqliteException>(() => command.ExecuteNonQuery()).Message);
    }

    [Fact]
    public void AnEditedEntryIsNamed()
    {
        Tamper("UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 5");
        var result = _instance.Audit.Verify();
        Assert.False(result.Intact);
        Assert.Equal(5, result.FirstBadSequence);
        Assert.Contains("altered", result.Problem);
    }

    [Fact]
    public void ADeletedEntryIsNamed()
    {
        Tamper("DELETE FROM audit_entries WHERE seq = 7");
        var result = _instance.Audit.Verify();
        Assert.Equal((false, 7L), (result.Intact, result.FirstBadSequence));
        Assert.Contains("entry 7 is missing", result.Problem);
    }

    [Fact]
    public void ADeletedLastEntryIsCaughtByTheCheckpoint()
    {
        _instance.Audit.Checkpoint();
        var last = Count();
        Tamper($"DELETE FROM audit_entries WHERE seq = {last}");
        var result = _instance.Audit.Verify();
        Assert.Equal((false, last), (result.Intact, result.FirstBadSequence));
        Assert.Contains("missing", result.Problem);
    }

    [Fact]
    public void AnInsertedEntryIsNamed()
    {
        // Make room by moving entries 9.. up one, then slip a forged entry in at 9 that links to 8.
        var total = Count();
        Tamper($"""
            UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 9;
            UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1009;
            INSERT INTO audit_entries (seq, at_ms, actor_role, actor_id, action, subject, outlet, purpose, outcome, detail, prev_hash, hash)
            SELECT 9, at_ms, 'ca-officer', 'intruder', 'key.opened', 'root-g1', NULL, NULL, 'ok', NULL, hash, randomblob(32) FROM audit_entries WHERE seq = 8;
            """);
        Assert.Equal(total + 1, Count());
        var result = _instance.Audit.Verify();
        Assert.Equal((false, 9L), (result.Intact, result.FirstBadSequence));
    }

    [Fact]
    public void ReorderedEntriesAreNamed()
    {
        Tamper("""
            UPDATE audit_entries SET seq = -1 WHERE seq = 12;
            UPDATE audit_entries SET seq = 12 WHERE seq = 13;
            UPDATE audit_entries SET seq = 13 WHERE seq = -1;
            """);
        var result = _instance.Audit.Verify();
        Assert.Equal((false, 12L), (result.Intact, result.FirstBadSequence));
    }

    [Fact]
    public void AChainRewrittenFromScratchIsCaughtByTheSignedCheckpoint()
    {
        var signed = _instance.Audit.Checkpoint()!;
        // The intruder edits entry 3 and recomputes every hash after it, so the chain is consistent again.
        var entries = _instance.Audit.Entries().ToList();
        var previous = AuditTrail.Genesis;
        var rewritten = new List<(long Seq, byte[] Prev, byte[] Hash, string ActorId)>();
        foreach (var entry in entries)
        {
            var e = entry.Sequence == 3 ? entry.Event with { ActorId = "intruder" } : entry.Event;
            var hash = AuditTrail.ComputeHash(entry.Sequence, entry.At, e, previous);
            rewritten.Add((entry.Sequence, previous, hash, e.ActorId));
            previous = hash;
        }
        Tamper(string.Join(";\n", rewritten.Select(r =>
            $"UPDATE audit_entries SET actor_id = '{r.ActorId}', prev_hash = X'{Convert.ToHexString(r.Prev)}', hash = X'{Convert.ToHexString(r.Hash)}' WHERE seq = {r.Seq}")));

        var result = _instance.Audit.Verify();
        Assert.False(result.Intact);
        Assert.Equal(signed.Sequence, result.FirstBadSequence);
        Assert.Contains("rewritten after it was signed", result.Problem);
    }

    [Fact]
    public void CertificateWritesAndKeyUseAreRecorded()
    {
        var actions = _instance.Audit.Entries().Select(e => e.Event.Action).ToList();
        Assert.Contains("key.created", actions);
        Assert.Contains("key.opened", actions);
        _instance.CrlPublisher().PublishAll();
        Assert.Contains(_instance.Audit.Entries(), e => e.Event.Action == "crl.published" && e.Event.Subject == "personal-g1/0");
    }
}
