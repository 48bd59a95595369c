using ECert.Core;
using ECert.Core.Privacy;

namespace ECert.Storage;

/// <summary>The retention schedule's queries and the anonymisation itself, in SQLite.</summary>
public sealed class SqliteRetentionStore(SqliteDatabase database) : IRetentionStore
{
    public IReadOnlyList<RetentionCandidate> ListRetentionCandidates(DateTimeOffset cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.srn, COALESCE(MAX(c.not_after), s.created_at) AS last_activity
            FROM subscribers s LEFT JOIN certificates c ON c.srn = s.srn AND c.state <> 'abandoned'
            WHERE s.anonymised_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.srn = s.srn
                              AND a.state IN ('submitted', 'identity-verified', 'approved', 'paid', 'issued'))
            GROUP BY s.srn
            HAVING last_activity < $cutoff
            ORDER BY s.srn
            """;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeSeconds());
        using var reader = command.ExecuteReader();
        var list = new List<RetentionCandidate>();
        while (reader.Read())
            list.Add(new RetentionCandidate(reader.GetString(0), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1))));
        return list;
    }

    public void Anonymise(string srn, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE subscribers SET name = 'anonymised', chinese_name = NULL, identity_hash = NULL, certificate_email = NULL,
                contact_email = NULL, postal_address = NULL, anonymised_at = $at
            WHERE srn = $srn AND anonymised_at IS NULL;
            UPDATE certificates SET subject = 'anonymised', card_number = NULL WHERE srn = $srn;
            DELETE FROM notifications WHERE srn = $srn;
            """;
        command.Parameters.AddWithValue("$srn", srn);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    // A bulk-issued certificate row (issued, or abandoned by a resumed run) whose SRN has no subscriber
    // record, past the cutoff, still holding a name or a card number.
    private const string BulkCandidate = """
        c.bulk_job IS NOT NULL AND c.not_after < $cutoff AND (c.subject <> 'anonymised' OR c.card_number IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.srn = c.srn)
        """;

    // A batch reserved by a run that was killed and never resumed, past the cutoff, whose
    // reservations (JSON: serial, line, card, subject, srn, partition) still hold card numbers and names.
    private const string StaleBatch = """
        b.not_after < $cutoff
        AND EXISTS (SELECT 1 FROM json_each(b.reservations) r WHERE json_extract(r.value, '$.card') IS NOT NULL)
        """;

    public IReadOnlyList<BulkRetentionCandidate> ListBulkRetentionCandidates(DateTimeOffset cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT job, SUM(rows), MAX(last_expiry) FROM (
                SELECT c.bulk_job AS job, COUNT(*) AS rows, MAX(c.not_after) AS last_expiry FROM certificates c
                WHERE {BulkCandidate} GROUP BY c.bulk_job
                UNION ALL
                SELECT b.job_id, json_array_length(b.reservations), b.not_after FROM bulk_batches b WHERE {StaleBatch})
            GROUP BY job ORDER BY job
            """;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeSeconds());
        using var reader = command.ExecuteReader();
        var list = new List<BulkRetentionCandidate>();
        while (reader.Read())
            list.Add(new BulkRetentionCandidate(reader.GetInt64(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2))));
        return list;
    }

    public long AnonymiseBulkJob(long jobId, DateTimeOffset cutoff, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        long Execute(string sql, bool scalar = false)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$job", jobId);
            command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
            return scalar ? command.ExecuteScalar() as long? ?? 0 : command.ExecuteNonQuery();
        }

        var rows = Execute($"""
            UPDATE certificates AS c SET subject = 'anonymised', card_number = NULL
            WHERE c.bulk_job = $job AND {BulkCandidate}
            """);
        // The batch keeps its serials (they may have been signed, so they are never reused); only the
        // card numbers and names go.
        var reserved = Execute($"SELECT SUM(json_array_length(b.reservations)) FROM bulk_batches b WHERE b.job_id = $job AND {StaleBatch}", scalar: true);
        Execute($"""
            UPDATE bulk_batches AS b SET reservations = (
                SELECT json_group_array(json_set(r.value, '$.card', NULL, '$.subject', 'anonymised')) FROM json_each(b.reservations) r)
            WHERE b.job_id = $job AND {StaleBatch}
            """);
        Execute("UPDATE bulk_jobs SET anonymised_at = $at WHERE id = $job AND anonymised_at IS NULL");
        transaction.Commit();
        return rows + reserved;
    }
}
