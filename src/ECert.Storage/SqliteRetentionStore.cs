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
            UPDATE certificates SET subject = 'anonymised' WHERE srn = $srn;
            DELETE FROM notifications WHERE srn = $srn;
            """;
        command.Parameters.AddWithValue("$srn", srn);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    // A bulk-issued certificate whose SRN has no subscriber record, past the cutoff, still holding a name or a card number.
    private const string BulkCandidate = """
        c.bulk_job IS NOT NULL AND c.not_after < $cutoff AND (c.subject <> 'anonymised' OR c.card_number IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.srn = c.srn)
        """;

    public IReadOnlyList<BulkRetentionCandidate> ListBulkRetentionCandidates(DateTimeOffset cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT c.bulk_job, COUNT(*), MAX(c.not_after) FROM certificates c
            WHERE {BulkCandidate}
            GROUP BY c.bulk_job ORDER BY c.bulk_job
            """;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeSeconds());
        using var reader = command.ExecuteReader();
        var list = new List<BulkRetentionCandidate>();
        while (reader.Read())
            list.Add(new BulkRetentionCandidate(reader.GetInt64(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2))));
        return list;
    }

    public long AnonymiseBulkJob(long jobId, DateTimeOffset cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE certificates AS c SET subject = 'anonymised', card_number = NULL
            WHERE c.bulk_job = $job AND {BulkCandidate}
            """;
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeSeconds());
        return command.ExecuteNonQuery();
    }
}
