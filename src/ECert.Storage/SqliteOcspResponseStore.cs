using ECert.Core.Ocsp;
using ECert.Core.Stores;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Pre-signed OCSP responses and the status-change log in SQLite.</summary>
public sealed class SqliteOcspResponseStore(SqliteDatabase database) : IOcspResponseStore
{
    /// <summary>
    /// Withdraws a certificate's pre-signed response inside the transaction that changes its status,
    /// and logs the change so responders drop it from their caches: no process can commit a status
    /// change and leave the old answer stored.
    /// </summary>
    internal static void WithdrawResponse(SqliteConnection connection, SqliteTransaction transaction, string serialHex, DateTimeOffset at)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM ocsp_responses WHERE serial = $serial;
            INSERT INTO ocsp_changes (serial, at) VALUES ($serial, $at);
            """;
        command.Parameters.AddWithValue("$serial", serialHex);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
    }

    public PresignedResponse? Find(string serialHex)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ca_slug, this_update, next_update, der FROM ocsp_responses WHERE serial = $serial";
        command.Parameters.AddWithValue("$serial", serialHex);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new PresignedResponse(serialHex, reader.GetString(0), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)),
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), (byte[])reader[3])
            : null;
    }

    public bool SaveIfCurrent(PresignedResponse response, CertificateRecord statusAsOf) => SaveAllIfCurrent([(response, statusAsOf)]) == 1;

    public int SaveAllIfCurrent(IReadOnlyList<(PresignedResponse Response, CertificateRecord StatusAsOf)> responses)
    {
        if (responses.Count == 0) return 0;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Stored only if the certificate's status is still the one the response was signed from.
        command.CommandText = """
            INSERT INTO ocsp_responses (serial, ca_slug, this_update, next_update, der)
            SELECT $serial, $ca, $this, $next, $der FROM certificates
            WHERE serial = $serial AND state = $state AND COALESCE(status_changed_at, -1) = $changed
            ON CONFLICT (serial) DO UPDATE SET ca_slug = excluded.ca_slug, this_update = excluded.this_update,
                next_update = excluded.next_update, der = excluded.der
            WHERE excluded.this_update >= ocsp_responses.this_update
            """;
        var serial = command.Parameters.Add("$serial", SqliteType.Text);
        var ca = command.Parameters.Add("$ca", SqliteType.Text);
        var thisUpdate = command.Parameters.Add("$this", SqliteType.Integer);
        var nextUpdate = command.Parameters.Add("$next", SqliteType.Integer);
        var der = command.Parameters.Add("$der", SqliteType.Blob);
        var state = command.Parameters.Add("$state", SqliteType.Text);
        var changed = command.Parameters.Add("$changed", SqliteType.Integer);
        var stored = 0;
        foreach (var (response, statusAsOf) in responses)
        {
            serial.Value = response.SerialHex;
            ca.Value = response.CaSlug;
            thisUpdate.Value = response.ThisUpdate.ToUnixTimeSeconds();
            nextUpdate.Value = response.NextUpdate.ToUnixTimeSeconds();
            der.Value = response.Der;
            state.Value = statusAsOf.State.ToString().ToLowerInvariant();
            changed.Value = statusAsOf.StatusChangedAt?.ToUnixTimeSeconds() ?? -1;
            stored += command.ExecuteNonQuery();
        }
        transaction.Commit();
        return stored;
    }

    public (IReadOnlyList<ResponseDue> Due, long ReachedPosition, bool Finished) FindDue(long afterPosition, int limit, DateTimeOffset now, DateTimeOffset refreshBefore)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // Scans a window of certificates in rowid order, so one pass over ten million rows is many
        // short reads that never hold a lock for long.
        command.CommandText = $"""
            SELECT c.rowid, {SqliteCertificateStore.StatusColumns}, o.next_update
            FROM certificates c LEFT JOIN ocsp_responses o ON o.serial = c.serial
            WHERE c.rowid > $after ORDER BY c.rowid LIMIT $window
            """;
        var window = Math.Max(limit * 4, 1000);
        command.Parameters.AddWithValue("$after", afterPosition);
        command.Parameters.AddWithValue("$window", window);
        var due = new List<ResponseDue>();
        var reached = afterPosition;
        var scanned = 0;
        using var reader = command.ExecuteReader();
        while (due.Count < limit && reader.Read())
        {
            scanned++;
            reached = reader.GetInt64(0);
            var state = reader.GetString(9);
            if (state is "reserved" or "abandoned" || reader.GetInt64(8) <= now.ToUnixTimeSeconds()) continue;
            if (!reader.IsDBNull(17) && reader.GetInt64(17) > refreshBefore.ToUnixTimeSeconds()) continue;
            due.Add(new ResponseDue(reached, SqliteCertificateStore.ReadCertificate(reader, offset: 1)));
        }
        return (due, reached, scanned < window && due.Count < limit);
    }

    public (IReadOnlyList<ResponseDue> Due, int Examined) FindExpiring(int limit, DateTimeOffset now, DateTimeOffset refreshBefore)
    {
        using var connection = database.Open();
        var due = new List<ResponseDue>();
        var unanswerable = new List<string>();
        using (var command = connection.CreateCommand())
        {
            // Driven by ocsp_responses_by_next_update: reads only the responses that are due.
            command.CommandText = $"""
                SELECT o.serial, c.rowid, {SqliteCertificateStore.StatusColumns}
                FROM ocsp_responses o LEFT JOIN certificates c ON c.serial = o.serial
                WHERE o.next_update <= $before ORDER BY o.next_update LIMIT $limit
                """;
            command.Parameters.AddWithValue("$before", refreshBefore.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (reader.IsDBNull(1) || reader.GetString(10) is "reserved" or "abandoned" || reader.GetInt64(9) <= now.ToUnixTimeSeconds())
                    unanswerable.Add(reader.GetString(0));
                else
                    due.Add(new ResponseDue(reader.GetInt64(1), SqliteCertificateStore.ReadCertificate(reader, offset: 2)));
            }
        }
        if (unanswerable.Count > 0)
        {
            using var transaction = connection.BeginTransaction();
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM ocsp_responses WHERE serial = $serial AND next_update <= $before";
            var serial = delete.Parameters.Add("$serial", SqliteType.Text);
            delete.Parameters.AddWithValue("$before", refreshBefore.ToUnixTimeSeconds());
            foreach (var serialHex in unanswerable)
            {
                serial.Value = serialHex;
                delete.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        return (due, due.Count + unanswerable.Count);
    }

    public long LatestChange()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM ocsp_changes";
        return (long)command.ExecuteScalar()!;
    }

    public (IReadOnlyList<string> Serials, long LatestId) ChangesSince(long afterId, int limit = 10_000)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, serial FROM ocsp_changes WHERE id > $after ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        var serials = new List<string>();
        var latest = afterId;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            latest = reader.GetInt64(0);
            serials.Add(reader.GetString(1));
        }
        return (serials, latest);
    }

    public void PruneChanges(DateTimeOffset before)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM ocsp_changes WHERE at < $before AND id < (SELECT MAX(id) FROM ocsp_changes)";
        command.Parameters.AddWithValue("$before", before.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
    }
}
