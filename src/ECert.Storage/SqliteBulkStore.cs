using System.Buffers;
using System.Globalization;
using ECert.Core;
using ECert.Core.Bulk;
using ECert.Core.Status;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ECert.Storage;

/// <summary>Bulk jobs in SQLite: one transaction per batch, holding the batch's rows and the job's checkpoint.</summary>
public sealed class SqliteBulkStore(SqliteDatabase database) : IBulkStore
{
    /// <summary>
    /// Page cache of the connections that write batches, in KiB: a million random serials make a
    /// primary-key index of tens of megabytes, and with SQLite's default 2 MB cache every insert
    /// and update would read its index pages back through the kernel.
    /// </summary>
    private const int BatchCacheKib = 64 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? _reservationBuffer;

    private SqliteConnection OpenForBatches()
    {
        var connection = database.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{BatchCacheKib}";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private const string JobColumns =
        "id, kind, job_key, profile, reason, input_path, input_size, input_modified, output_path, reject_path, input_offset, next_line, " +
        "output_offset, reject_offset, done_count, rejected_count, runs, started_at, completed_at, anonymised_at";

    public BulkJob? FindJob(string jobKey)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {JobColumns} FROM bulk_jobs WHERE job_key = $key";
        command.Parameters.AddWithValue("$key", jobKey);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadJob(reader) : null;
    }

    public BulkJob CreateJob(BulkJob job)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO bulk_jobs (kind, job_key, profile, reason, input_path, input_size, input_modified, output_path, reject_path, started_at, updated_at)
            VALUES ($kind, $key, $profile, $reason, $input, $size, $modified, $output, $reject, $at, $at)
            RETURNING id
            """;
        command.Parameters.AddWithValue("$kind", job.Kind == BulkKind.Issue ? "issue" : "revoke");
        command.Parameters.AddWithValue("$key", job.JobKey);
        command.Parameters.AddWithValue("$profile", (object?)job.Profile ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", job.Reason is { } r ? (int)r : DBNull.Value);
        command.Parameters.AddWithValue("$input", job.InputPath);
        command.Parameters.AddWithValue("$size", job.InputSize);
        command.Parameters.AddWithValue("$modified", job.InputModified.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$output", (object?)job.OutputPath ?? DBNull.Value);
        command.Parameters.AddWithValue("$reject", job.RejectPath);
        command.Parameters.AddWithValue("$at", job.StartedAt.ToUnixTimeSeconds());
        try
        {
            return job with { Id = (long)command.ExecuteScalar()! };
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict("the same bulk job was started by another process at the same moment");
        }
    }

    public int ResumeJob(long jobId, DateTimeOffset at)
    {
        const string Why = "bulk job interrupted before the certificate was stored";
        using var connection = OpenForBatches();
        using var transaction = connection.BeginTransaction();
        var abandoned = 0;
        foreach (var batch in ReadBatches(connection, transaction, jobId))
        {
            var rows = Enumerable.Range(0, batch.Reservations.Count).Select(i => new BatchRow(i, "abandoned", null, Why));
            // OR IGNORE: a serial that reached the table anyway (another issuer drew it) stays what it is.
            abandoned += InsertCertificates(connection, jobId, batch, rows, orIgnore: true);
            DeleteBatch(connection, transaction, jobId, batch.Id);
        }
        // Rows reserved one by one, as bulk jobs did before batches were reserved whole (migration 0016).
        using (var legacy = connection.CreateCommand())
        {
            legacy.Transaction = transaction;
            legacy.CommandText = "UPDATE certificates SET state = 'abandoned', abandon_reason = $why WHERE bulk_job = $job AND state = 'reserved'";
            legacy.Parameters.AddWithValue("$job", jobId);
            legacy.Parameters.AddWithValue("$why", Why);
            abandoned += legacy.ExecuteNonQuery();
        }
        using var runs = connection.CreateCommand();
        runs.Transaction = transaction;
        runs.CommandText = "UPDATE bulk_jobs SET runs = runs + 1, updated_at = $at WHERE id = $job";
        runs.Parameters.AddWithValue("$job", jobId);
        runs.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        runs.ExecuteNonQuery();
        transaction.Commit();
        return abandoned;
    }

    public ReservedBulkBatch ReserveBatch(long jobId, string caSlug, string profile, IReadOnlyList<BulkReservation> reservations,
        DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset reservedAt, int partitionSize)
    {
        using var connection = OpenForBatches();
        using var transaction = connection.BeginTransaction();
        var slots = new List<ReservedSlot>(reservations.Count);
        if (reservations.Count > 0)
        {
            var lastSrn = Scalar(connection, transaction, """
                INSERT INTO counters (name, value) VALUES ('srn', $n) ON CONFLICT (name) DO UPDATE SET value = value + $n RETURNING value
                """, ("$n", reservations.Count));
            var lastIssued = Scalar(connection, transaction,
                "UPDATE certificate_authorities SET issued_count = issued_count + $n WHERE slug = $slug RETURNING issued_count",
                ("$n", reservations.Count), ("$slug", caSlug)) ?? throw ECertException.NotFound($"CA '{caSlug}' does not exist");
            var firstSrn = lastSrn!.Value - reservations.Count + 1;
            var firstIssued = lastIssued - reservations.Count + 1;
            for (var i = 0; i < reservations.Count; i++)
                slots.Add(new ReservedSlot((firstSrn + i).ToString("D10", CultureInfo.InvariantCulture), (int)((firstIssued + i - 1) / partitionSize)));
        }
        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, """
            INSERT INTO bulk_batches (job_id, ca_slug, profile, not_before, not_after, reserved_at, reservations)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """, out var insert));
        long id;
        using (insert)
        {
            Check(db, raw.sqlite3_bind_int64(insert, 1, jobId));
            Check(db, raw.sqlite3_bind_text(insert, 2, caSlug));
            Check(db, raw.sqlite3_bind_text(insert, 3, profile));
            Check(db, raw.sqlite3_bind_int64(insert, 4, notBefore.ToUnixTimeSeconds()));
            Check(db, raw.sqlite3_bind_int64(insert, 5, notAfter.ToUnixTimeSeconds()));
            Check(db, raw.sqlite3_bind_int64(insert, 6, reservedAt.ToUnixTimeSeconds()));
            // The JSON (about 150 KB for 1,000 reservations) goes in as UTF-8 from a buffer kept per
            // thread: as a string it would be two large-object allocations a batch.
            Check(db, raw.sqlite3_bind_text(insert, 7, BatchJson.Write(reservations, slots, _reservationBuffer ??= new ArrayBufferWriter<byte>(1 << 18))));
            var status = raw.sqlite3_step(insert);
            if (status != raw.SQLITE_DONE) Check(db, status);
            id = raw.sqlite3_last_insert_rowid(db);
        }
        transaction.Commit();
        return new ReservedBulkBatch(id, caSlug, profile, notBefore, notAfter, reservedAt, reservations, slots);
    }

    public void CompleteIssueBatch(long jobId, ReservedBulkBatch batch, IReadOnlyList<BulkIssued> issued, IReadOnlyList<BulkAbandoned> abandoned,
        BulkCheckpoint checkpoint, DateTimeOffset at)
    {
        using var connection = OpenForBatches();
        using var transaction = connection.BeginTransaction();
        // The reservation first: a batch another process already abandoned (by resuming the job) is refused as such.
        DeleteBatch(connection, transaction, jobId, batch.Id);
        var rows = issued.Select(c => new BatchRow(c.Index, "valid", c.Der, null))
            .Concat(abandoned.Select(a => new BatchRow(a.Index, "abandoned", null, a.Why)));
        InsertCertificates(connection, jobId, batch, rows, orIgnore: false);
        SaveCheckpoint(connection, transaction, jobId, checkpoint, at);
        transaction.Commit();
    }

    /// <summary>One certificate row of a batch: its reservation's index, its state, and the DER or the reason it was abandoned.</summary>
    private sealed record BatchRow(int Index, string State, byte[]? Der, string? AbandonReason);

    /// <summary>
    /// Stores rows of a reserved batch in the certificates table, each written once, whole. Returns how many were inserted.
    /// </summary>
    /// <remarks>
    /// Through SQLitePCL's own bind/step/reset on the connection's handle (inside its transaction):
    /// a bulk job inserts a million rows, and SqliteCommand's per-execution work (a data reader,
    /// parameter objects, boxing) cost as much as SQLite's own insert.
    /// </remarks>
    private static int InsertCertificates(SqliteConnection connection, long jobId, ReservedBulkBatch batch, IEnumerable<BatchRow> rows, bool orIgnore)
    {
        var db = connection.Handle!;
        var sql = $"""
            INSERT {(orIgnore ? "OR IGNORE " : "")}INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state,
                reserved_at, card_number, bulk_job, bulk_line, der, published, abandon_reason)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            """;
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var insert));
        using (insert)
        {
            // What every row of the batch shares is bound once.
            Check(db, raw.sqlite3_bind_text(insert, 2, batch.CaSlug));
            Check(db, raw.sqlite3_bind_text(insert, 3, batch.Profile));
            Check(db, raw.sqlite3_bind_int64(insert, 7, batch.NotBefore.ToUnixTimeSeconds()));
            Check(db, raw.sqlite3_bind_int64(insert, 8, batch.NotAfter.ToUnixTimeSeconds()));
            Check(db, raw.sqlite3_bind_int64(insert, 10, batch.ReservedAt.ToUnixTimeSeconds()));
            Check(db, raw.sqlite3_bind_int64(insert, 12, jobId));
            var inserted = 0;
            foreach (var row in rows)
            {
                var reservation = batch.Reservations[row.Index];
                var slot = batch.Slots[row.Index];
                Check(db, raw.sqlite3_bind_text(insert, 1, reservation.SerialHex));
                Check(db, raw.sqlite3_bind_int(insert, 4, slot.Partition));
                Check(db, raw.sqlite3_bind_text(insert, 5, reservation.SubjectDisplay));
                Check(db, raw.sqlite3_bind_text(insert, 6, slot.Srn));
                Check(db, raw.sqlite3_bind_text(insert, 9, row.State));
                Check(db, raw.sqlite3_bind_text(insert, 11, reservation.CardNumber));
                Check(db, raw.sqlite3_bind_int64(insert, 13, reservation.Line));
                Check(db, row.Der is null ? raw.sqlite3_bind_null(insert, 14) : raw.sqlite3_bind_blob(insert, 14, row.Der));
                Check(db, raw.sqlite3_bind_int(insert, 15, row.Der is null ? 0 : 1));
                Check(db, row.AbandonReason is null ? raw.sqlite3_bind_null(insert, 16) : raw.sqlite3_bind_text(insert, 16, row.AbandonReason));
                var status = raw.sqlite3_step(insert);
                if (status == raw.SQLITE_CONSTRAINT && raw.sqlite3_extended_errcode(db) is SerialTaken or UniqueFailed)
                    throw ECertException.Conflict($"serial {reservation.SerialHex} is already used; the batch was not stored (the job abandons it when resumed)");
                if (status != raw.SQLITE_DONE) Check(db, status);
                inserted += raw.sqlite3_changes(db);
                raw.sqlite3_reset(insert);
            }
            return inserted;
        }
    }

    private const int SerialTaken = 1555; // SQLITE_CONSTRAINT_PRIMARYKEY
    private const int UniqueFailed = 2067; // SQLITE_CONSTRAINT_UNIQUE

    /// <summary>An error from a SQLitePCL call, as the SqliteException the rest of the store raises.</summary>
    private static void Check(sqlite3 db, int status)
    {
        if (status != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(status, db);
    }

    private static void DeleteBatch(SqliteConnection connection, SqliteTransaction transaction, long jobId, long batchId)
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM bulk_batches WHERE id = $id AND job_id = $job";
        delete.Parameters.AddWithValue("$id", batchId);
        delete.Parameters.AddWithValue("$job", jobId);
        if (delete.ExecuteNonQuery() != 1)
            throw new ECertException(ErrorKind.Internal, $"batch {batchId} of bulk job {jobId} is no longer reserved (resumed by another process?); the batch was not stored");
    }

    private static List<ReservedBulkBatch> ReadBatches(SqliteConnection connection, SqliteTransaction transaction, long jobId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id, ca_slug, profile, not_before, not_after, reserved_at, reservations FROM bulk_batches WHERE job_id = $job ORDER BY id";
        command.Parameters.AddWithValue("$job", jobId);
        using var reader = command.ExecuteReader();
        var batches = new List<ReservedBulkBatch>();
        while (reader.Read())
        {
            var (reservations, slots) = BatchJson.Read(reader.GetString(6));
            batches.Add(new ReservedBulkBatch(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)),
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5)), reservations, slots));
        }
        return batches;
    }

    public void ForEachTakenCard(long jobId, long beforeLine, Action<string, long> card)
    {
        // A scan (no index on bulk_job, see migration 0013): only a resumed job asks, once. The rows
        // a resume abandoned (batches past the checkpoint) are at or after beforeLine.
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT card_number, bulk_line FROM certificates WHERE bulk_job = $job AND bulk_line < $before AND card_number IS NOT NULL";
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$before", beforeLine);
        using var reader = command.ExecuteReader();
        while (reader.Read()) card(reader.GetString(0), reader.GetInt64(1));
    }

    public IReadOnlyList<BulkRevocationOutcome> CheckRevocations(IReadOnlyList<string> serials)
    {
        using var connection = OpenForBatches();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM certificates WHERE serial = $serial";
        var serial = command.Parameters.Add("$serial", SqliteType.Text);
        var outcomes = new List<BulkRevocationOutcome>(serials.Count);
        foreach (var serialHex in serials)
        {
            serial.Value = serialHex;
            outcomes.Add(command.ExecuteScalar() switch
            {
                "valid" or "suspended" => BulkRevocationOutcome.Revoked,
                "revoked" => BulkRevocationOutcome.AlreadyRevoked,
                _ => BulkRevocationOutcome.NotFound,
            });
        }
        return outcomes;
    }

    public int RevokeBatch(long jobId, IReadOnlyList<string> serials, RevocationReason reason, DateTimeOffset at, BulkCheckpoint checkpoint)
    {
        using var connection = OpenForBatches();
        using var transaction = connection.BeginTransaction();
        var revoked = 0;
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """
            UPDATE certificates
            SET state = 'revoked', revoked_at = $at, reason = $reason, invalidity_date = NULL, status_changed_at = $at, suspended_for = NULL
            WHERE serial = $serial AND state IN ('valid', 'suspended')
            """;
        var serial = update.Parameters.Add("$serial", SqliteType.Text);
        update.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        update.Parameters.AddWithValue("$reason", (int)reason);
        using var previous = connection.CreateCommand();
        previous.Transaction = transaction;
        previous.CommandText = "SELECT state FROM certificates WHERE serial = $serial";
        var previousSerial = previous.Parameters.Add("$serial", SqliteType.Text);
        using var history = connection.CreateCommand();
        history.Transaction = transaction;
        history.CommandText = """
            INSERT INTO status_history (serial, at, from_state, to_state, reason, invalidity_date) VALUES ($serial, $at, $from, 'revoked', $reason, NULL)
            """;
        var historySerial = history.Parameters.Add("$serial", SqliteType.Text);
        var from = history.Parameters.Add("$from", SqliteType.Text);
        history.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        history.Parameters.AddWithValue("$reason", (int)reason);
        foreach (var serialHex in serials)
        {
            previousSerial.Value = serialHex;
            if (previous.ExecuteScalar() is not string state || state is not ("valid" or "suspended")) continue;
            serial.Value = serialHex;
            if (update.ExecuteNonQuery() != 1) continue;
            historySerial.Value = serialHex;
            from.Value = state;
            history.ExecuteNonQuery();
            SqliteOcspResponseStore.WithdrawResponse(connection, transaction, serialHex, at);
            revoked++;
        }
        SaveCheckpoint(connection, transaction, jobId, checkpoint, at);
        transaction.Commit();
        return revoked;
    }

    public void CompleteJob(long jobId, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE bulk_jobs SET completed_at = $at, updated_at = $at WHERE id = $job";
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
    }

    private static void SaveCheckpoint(SqliteConnection connection, SqliteTransaction transaction, long jobId, BulkCheckpoint checkpoint, DateTimeOffset at)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE bulk_jobs SET input_offset = $input, next_line = $line, output_offset = $output, reject_offset = $reject,
                done_count = $done, rejected_count = $rejected, updated_at = $at
            WHERE id = $job AND completed_at IS NULL
            """;
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$input", checkpoint.InputOffset);
        command.Parameters.AddWithValue("$line", checkpoint.NextLine);
        command.Parameters.AddWithValue("$output", checkpoint.OutputOffset);
        command.Parameters.AddWithValue("$reject", checkpoint.RejectOffset);
        command.Parameters.AddWithValue("$done", checkpoint.Done);
        command.Parameters.AddWithValue("$rejected", checkpoint.Rejected);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        if (command.ExecuteNonQuery() != 1)
            throw new ECertException(ErrorKind.Internal, $"bulk job {jobId} is missing or already complete; the batch was not stored");
    }

    private static long? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteScalar() as long?;
    }

    private static BulkJob ReadJob(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Kind = reader.GetString(1) == "issue" ? BulkKind.Issue : BulkKind.Revoke,
        JobKey = reader.GetString(2),
        Profile = reader.IsDBNull(3) ? null : reader.GetString(3),
        Reason = reader.IsDBNull(4) ? null : (RevocationReason)reader.GetInt32(4),
        InputPath = reader.GetString(5),
        InputSize = reader.GetInt64(6),
        InputModified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        OutputPath = reader.IsDBNull(8) ? null : reader.GetString(8),
        RejectPath = reader.GetString(9),
        Checkpoint = new BulkCheckpoint(reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15)),
        Runs = reader.GetInt32(16),
        StartedAt = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(17)),
        CompletedAt = reader.IsDBNull(18) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(18)),
        AnonymisedAt = reader.IsDBNull(19) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(19)),
    };
}
