using System.Globalization;
using ECert.Core;
using ECert.Core.Bulk;
using ECert.Core.Status;
using Microsoft.Data.Sqlite;

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
        "output_offset, reject_offset, done_count, rejected_count, runs, started_at, completed_at";

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
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var abandon = connection.CreateCommand();
        abandon.Transaction = transaction;
        abandon.CommandText = """
            UPDATE certificates SET state = 'abandoned', abandon_reason = 'bulk job interrupted before the certificate was stored'
            WHERE bulk_job = $job AND state = 'reserved'
            """;
        abandon.Parameters.AddWithValue("$job", jobId);
        var abandoned = abandon.ExecuteNonQuery();
        using var runs = connection.CreateCommand();
        runs.Transaction = transaction;
        runs.CommandText = "UPDATE bulk_jobs SET runs = runs + 1, updated_at = $at WHERE id = $job";
        runs.Parameters.AddWithValue("$job", jobId);
        runs.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        runs.ExecuteNonQuery();
        transaction.Commit();
        return abandoned;
    }

    public IReadOnlyList<ReservedSlot> ReserveBatch(long jobId, string caSlug, string profile, IReadOnlyList<BulkReservation> reservations,
        DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset reservedAt, int partitionSize)
    {
        if (reservations.Count == 0) return [];
        using var connection = OpenForBatches();
        using var transaction = connection.BeginTransaction();
        var lastSrn = Scalar(connection, transaction, """
            INSERT INTO counters (name, value) VALUES ('srn', $n) ON CONFLICT (name) DO UPDATE SET value = value + $n RETURNING value
            """, ("$n", reservations.Count));
        var lastIssued = Scalar(connection, transaction,
            "UPDATE certificate_authorities SET issued_count = issued_count + $n WHERE slug = $slug RETURNING issued_count",
            ("$n", reservations.Count), ("$slug", caSlug)) ?? throw ECertException.NotFound($"CA '{caSlug}' does not exist");
        var firstSrn = lastSrn!.Value - reservations.Count + 1;
        var firstIssued = lastIssued - reservations.Count + 1;

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state, reserved_at, card_number, bulk_job, bulk_line)
            VALUES ($serial, $ca, $profile, $partition, $subject, $srn, $nb, $na, 'reserved', $at, $card, $job, $line)
            """;
        var serial = insert.Parameters.Add("$serial", SqliteType.Text);
        var partition = insert.Parameters.Add("$partition", SqliteType.Integer);
        var subject = insert.Parameters.Add("$subject", SqliteType.Text);
        var srn = insert.Parameters.Add("$srn", SqliteType.Text);
        var card = insert.Parameters.Add("$card", SqliteType.Text);
        var line = insert.Parameters.Add("$line", SqliteType.Integer);
        insert.Parameters.AddWithValue("$ca", caSlug);
        insert.Parameters.AddWithValue("$profile", profile);
        insert.Parameters.AddWithValue("$nb", notBefore.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$na", notAfter.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$at", reservedAt.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$job", jobId);
        insert.Prepare();

        var slots = new List<ReservedSlot>(reservations.Count);
        for (var i = 0; i < reservations.Count; i++)
        {
            var reservation = reservations[i];
            var slot = new ReservedSlot((firstSrn + i).ToString("D10", CultureInfo.InvariantCulture), (int)((firstIssued + i - 1) / partitionSize));
            serial.Value = reservation.SerialHex;
            partition.Value = slot.Partition;
            subject.Value = reservation.SubjectDisplay;
            srn.Value = slot.Srn;
            card.Value = reservation.CardNumber;
            line.Value = reservation.Line;
            try
            {
                insert.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                throw ECertException.Conflict($"serial {reservation.SerialHex} is already used");
            }
            slots.Add(slot);
        }
        transaction.Commit();
        return slots;
    }

    public void CompleteIssueBatch(long jobId, IReadOnlyList<BulkIssued> issued, IReadOnlyList<(string SerialHex, string Why)> abandoned,
        BulkCheckpoint checkpoint, DateTimeOffset at)
    {
        using var connection = OpenForBatches();
        using var transaction = connection.BeginTransaction();
        using (var complete = connection.CreateCommand())
        {
            complete.Transaction = transaction;
            complete.CommandText = "UPDATE certificates SET state = 'valid', der = $der, published = 1 WHERE serial = $serial AND state = 'reserved' AND bulk_job = $job";
            var serial = complete.Parameters.Add("$serial", SqliteType.Text);
            var der = complete.Parameters.Add("$der", SqliteType.Blob);
            complete.Parameters.AddWithValue("$job", jobId);
            complete.Prepare();
            foreach (var certificate in issued)
            {
                serial.Value = certificate.SerialHex;
                der.Value = certificate.Der;
                if (complete.ExecuteNonQuery() != 1)
                    throw new ECertException(ErrorKind.Internal, $"serial {certificate.SerialHex} is not reserved for bulk job {jobId}; the batch was not stored");
            }
        }
        using (var abandon = connection.CreateCommand())
        {
            abandon.Transaction = transaction;
            abandon.CommandText = "UPDATE certificates SET state = 'abandoned', abandon_reason = $why WHERE serial = $serial AND state = 'reserved'";
            var serial = abandon.Parameters.Add("$serial", SqliteType.Text);
            var why = abandon.Parameters.Add("$why", SqliteType.Text);
            foreach (var (serialHex, reason) in abandoned)
            {
                serial.Value = serialHex;
                why.Value = reason;
                abandon.ExecuteNonQuery();
            }
        }
        SaveCheckpoint(connection, transaction, jobId, checkpoint, at);
        transaction.Commit();
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
    };
}
