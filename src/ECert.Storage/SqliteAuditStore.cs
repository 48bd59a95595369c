using ECert.Core.Audit;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>The audit trail in SQLite: appended in one transaction per entry, never updated.</summary>
public sealed class SqliteAuditStore(SqliteDatabase database) : IAuditStore
{
    private const string Columns = "seq, at_ms, actor_role, actor_id, action, subject, outlet, purpose, outcome, detail, prev_hash, hash";

    public AuditEntry Append(AuditEvent auditEvent, DateTimeOffset at, Func<long, DateTimeOffset, AuditEvent, byte[], byte[]> hash)
    {
        using var connection = database.Open();
        // BEGIN IMMEDIATE: two processes appending at once are serialised, so links never fork.
        using var transaction = connection.BeginTransaction();
        using var last = connection.CreateCommand();
        last.Transaction = transaction;
        last.CommandText = "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1";
        long sequence = 1;
        var previous = AuditTrail.Genesis;
        using (var reader = last.ExecuteReader())
            if (reader.Read())
            {
                sequence = reader.GetInt64(0) + 1;
                previous = (byte[])reader[1];
            }
        var instant = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        var entry = new AuditEntry(sequence, instant, auditEvent, previous, hash(sequence, instant, auditEvent, previous));
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO audit_entries ({Columns}) VALUES ($seq, $at, $role, $id, $action, $subject, $outlet, $purpose, $outcome, $detail, $prev, $hash)";
        insert.Parameters.AddWithValue("$seq", entry.Sequence);
        insert.Parameters.AddWithValue("$at", entry.At.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$role", auditEvent.ActorRole);
        insert.Parameters.AddWithValue("$id", auditEvent.ActorId);
        insert.Parameters.AddWithValue("$action", auditEvent.Action);
        insert.Parameters.AddWithValue("$subject", (object?)auditEvent.Subject ?? DBNull.Value);
        insert.Parameters.AddWithValue("$outlet", (object?)auditEvent.Outlet ?? DBNull.Value);
        insert.Parameters.AddWithValue("$purpose", (object?)auditEvent.Purpose ?? DBNull.Value);
        insert.Parameters.AddWithValue("$outcome", auditEvent.Outcome);
        insert.Parameters.AddWithValue("$detail", (object?)auditEvent.Detail ?? DBNull.Value);
        insert.Parameters.AddWithValue("$prev", entry.PreviousHash);
        insert.Parameters.AddWithValue("$hash", entry.Hash);
        insert.ExecuteNonQuery();
        transaction.Commit();
        return entry;
    }

    /// <summary>In sequence order, streamed, so a trail of millions of entries is checked in constant memory.</summary>
    public IEnumerable<AuditEntry> ReadAll()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_entries ORDER BY seq";
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return Read(reader);
    }

    public AuditEntry? Last()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_entries ORDER BY seq DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public void AddCheckpoint(AuditCheckpoint checkpoint)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO audit_checkpoints (seq, hash, at_ms, key_id, signature) VALUES ($seq, $hash, $at, $key, $signature)";
        command.Parameters.AddWithValue("$seq", checkpoint.Sequence);
        command.Parameters.AddWithValue("$hash", checkpoint.Hash);
        command.Parameters.AddWithValue("$at", checkpoint.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$key", checkpoint.KeyId);
        command.Parameters.AddWithValue("$signature", checkpoint.Signature);
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<AuditCheckpoint> ListCheckpoints()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, hash, at_ms, key_id, signature FROM audit_checkpoints ORDER BY seq";
        using var reader = command.ExecuteReader();
        var list = new List<AuditCheckpoint>();
        while (reader.Read())
            list.Add(new AuditCheckpoint(reader.GetInt64(0), (byte[])reader[1], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetString(3), (byte[])reader[4]));
        return list;
    }

    private static AuditEntry Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        new AuditEvent(reader.GetString(2), reader.GetString(3), reader.GetString(4), Text(reader, 5), Text(reader, 6), Text(reader, 7),
            reader.GetString(8), Text(reader, 9)),
        (byte[])reader[10],
        (byte[])reader[11]);

    private static string? Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
