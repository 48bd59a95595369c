using ECert.Core;
using ECert.Core.Status;
using ECert.Core.Stores;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Certificates, their status and the CRLs in SQLite.</summary>
public sealed class SqliteCertificateStore(SqliteDatabase database) : ICertificateStore
{
    /// <summary>How many CRLs of each scope are kept; older ones are deleted when a new one is saved.</summary>
    public const int CrlsKeptPerScope = 10;

    internal const string CertificateColumns =
        "serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state, revoked_at, reason, invalidity_date, status_changed_at, der, published, suspended_for";

    /// <summary>The same columns without the DER, for reading status in bulk.</summary>
    internal const string StatusColumns =
        "c.serial, c.ca_slug, c.profile, c.partition, c.subject, c.srn, c.not_before, c.not_after, c.state, c.revoked_at, c.reason, c.invalidity_date, c.status_changed_at, NULL, c.published, c.suspended_for";

    public string AllocateSrn()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO counters (name, value) VALUES ('srn', 1)
            ON CONFLICT (name) DO UPDATE SET value = value + 1
            RETURNING value
            """;
        var value = (long)command.ExecuteScalar()!;
        return value.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
    }

    public int Reserve(CertificateReservation reservation, int partitionSize)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = "UPDATE certificate_authorities SET issued_count = issued_count + 1 WHERE slug = $slug RETURNING issued_count";
        count.Parameters.AddWithValue("$slug", reservation.CaSlug);
        var issued = count.ExecuteScalar() as long? ?? throw ECertException.NotFound($"CA '{reservation.CaSlug}' does not exist");
        var partition = (int)((issued - 1) / partitionSize);

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state, reserved_at, application_id)
            VALUES ($serial, $ca, $profile, $partition, $subject, $srn, $nb, $na, 'reserved', $at, $application)
            """;
        insert.Parameters.AddWithValue("$serial", reservation.SerialHex);
        insert.Parameters.AddWithValue("$ca", reservation.CaSlug);
        insert.Parameters.AddWithValue("$profile", reservation.Profile);
        insert.Parameters.AddWithValue("$partition", partition);
        insert.Parameters.AddWithValue("$subject", reservation.SubjectDisplay);
        insert.Parameters.AddWithValue("$srn", reservation.Srn);
        insert.Parameters.AddWithValue("$nb", reservation.NotBefore.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$na", reservation.NotAfter.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$at", reservation.ReservedAt.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$application", (object?)reservation.ApplicationId ?? DBNull.Value);
        try
        {
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"serial {reservation.SerialHex} is already used");
        }
        transaction.Commit();
        return partition;
    }

    public void CompleteIssuance(string serialHex, byte[] der, bool published)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE certificates SET state = 'valid', der = $der, published = $published WHERE serial = $serial AND state = 'reserved'";
        command.Parameters.AddWithValue("$serial", serialHex);
        command.Parameters.AddWithValue("$der", der);
        command.Parameters.AddWithValue("$published", published ? 1 : 0);
        if (command.ExecuteNonQuery() != 1)
            throw new ECertException(ErrorKind.Internal, $"serial {serialHex} was not reserved; the certificate was not stored");
    }

    public void Publish(string serialHex)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE certificates SET published = 1 WHERE serial = $serial AND der IS NOT NULL";
        command.Parameters.AddWithValue("$serial", serialHex);
        command.ExecuteNonQuery();
    }

    public void AbandonIssuance(string serialHex, string why)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE certificates SET state = 'abandoned', abandon_reason = $why WHERE serial = $serial AND state = 'reserved'";
        command.Parameters.AddWithValue("$serial", serialHex);
        command.Parameters.AddWithValue("$why", why);
        command.ExecuteNonQuery();
    }

    public bool ChangeStatus(StatusChange change)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """
            UPDATE certificates
            SET state = $to, revoked_at = $revokedAt, reason = $reason, invalidity_date = $invalidity, status_changed_at = $at,
                suspended_for = $suspendedFor
            WHERE serial = $serial AND state = $from
            """;
        var listed = change.To is CertificateState.Revoked or CertificateState.Suspended;
        update.Parameters.AddWithValue("$serial", change.SerialHex);
        update.Parameters.AddWithValue("$from", StateName(change.From));
        update.Parameters.AddWithValue("$to", StateName(change.To));
        update.Parameters.AddWithValue("$at", change.At.ToUnixTimeSeconds());
        update.Parameters.AddWithValue("$revokedAt", listed ? change.At.ToUnixTimeSeconds() : DBNull.Value);
        update.Parameters.AddWithValue("$reason", listed && change.Reason is { } r ? (int)r : DBNull.Value);
        update.Parameters.AddWithValue("$invalidity", (object?)change.InvalidityDate?.ToUnixTimeSeconds() ?? DBNull.Value);
        update.Parameters.AddWithValue("$suspendedFor", change.To == CertificateState.Suspended ? (object?)change.SuspendedFor ?? "request" : DBNull.Value);
        if (update.ExecuteNonQuery() != 1) return false;

        using var history = connection.CreateCommand();
        history.Transaction = transaction;
        history.CommandText = """
            INSERT INTO status_history (serial, at, from_state, to_state, reason, invalidity_date)
            VALUES ($serial, $at, $from, $to, $reason, $invalidity)
            """;
        history.Parameters.AddWithValue("$serial", change.SerialHex);
        history.Parameters.AddWithValue("$at", change.At.ToUnixTimeSeconds());
        history.Parameters.AddWithValue("$from", StateName(change.From));
        history.Parameters.AddWithValue("$to", StateName(change.To));
        history.Parameters.AddWithValue("$reason", change.Reason is { } hr ? (int)hr : DBNull.Value);
        history.Parameters.AddWithValue("$invalidity", (object?)change.InvalidityDate?.ToUnixTimeSeconds() ?? DBNull.Value);
        history.ExecuteNonQuery();
        SqliteOcspResponseStore.WithdrawResponse(connection, transaction, change.SerialHex, change.At);
        transaction.Commit();
        return true;
    }

    public CertificateRecord? FindCertificate(string serialHex)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {CertificateColumns} FROM certificates WHERE serial = $serial";
        command.Parameters.AddWithValue("$serial", serialHex);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCertificate(reader) : null;
    }

    public CrlSnapshot TakeCrlSnapshot(string caSlug, DateTimeOffset at, int? onlyPartition = null)
    {
        using var connection = database.Open();
        // BEGIN IMMEDIATE (the provider's default): no status change commits between reading the
        // entries and taking the numbers.
        using var transaction = connection.BeginTransaction();

        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = "SELECT COALESCE(MAX(partition), 0) + 1 FROM certificates WHERE ca_slug = $ca";
        count.Parameters.AddWithValue("$ca", caSlug);
        var partitions = (int)(long)count.ExecuteScalar()!;

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT serial, partition, revoked_at, reason, invalidity_date FROM certificates
            WHERE ca_slug = $ca AND state IN ('revoked', 'suspended') AND not_after >= $at
              AND ($partition IS NULL OR partition = $partition)
            ORDER BY partition, serial
            """;
        command.Parameters.AddWithValue("$ca", caSlug);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$partition", (object?)onlyPartition ?? DBNull.Value);
        var entries = new List<RevokedEntry>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                entries.Add(new RevokedEntry(reader.GetString(0), reader.GetInt32(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)),
                    reader.IsDBNull(3) ? RevocationReason.Unspecified : (RevocationReason)reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4))));

        var numbers = onlyPartition is null ? 1 + partitions : 1;
        using var allocate = connection.CreateCommand();
        allocate.Transaction = transaction;
        allocate.CommandText = "UPDATE certificate_authorities SET crl_number = crl_number + $n WHERE slug = $ca RETURNING crl_number";
        allocate.Parameters.AddWithValue("$ca", caSlug);
        allocate.Parameters.AddWithValue("$n", numbers);
        var last = allocate.ExecuteScalar() as long? ?? throw ECertException.NotFound($"CA '{caSlug}' does not exist");
        transaction.Commit();
        return new CrlSnapshot(last - numbers + 1, partitions, entries);
    }

    public int PartitionCount(string caSlug)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(partition), 0) + 1 FROM certificates WHERE ca_slug = $ca";
        command.Parameters.AddWithValue("$ca", caSlug);
        return (int)(long)command.ExecuteScalar()!;
    }

    public void SaveCrl(CrlRecord crl)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO crls (ca_slug, partition, number, this_update, next_update, entries, der)
            VALUES ($ca, $partition, $number, $this, $next, $entries, $der);
            DELETE FROM crls WHERE ca_slug = $ca AND partition = $partition
              AND number NOT IN (SELECT number FROM crls WHERE ca_slug = $ca AND partition = $partition ORDER BY number DESC LIMIT $keep);
            """;
        insert.Parameters.AddWithValue("$ca", crl.CaSlug);
        insert.Parameters.AddWithValue("$partition", crl.Partition ?? -1);
        insert.Parameters.AddWithValue("$number", crl.Number);
        insert.Parameters.AddWithValue("$this", crl.ThisUpdate.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$next", crl.NextUpdate.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$entries", crl.EntryCount);
        insert.Parameters.AddWithValue("$der", crl.Der);
        insert.Parameters.AddWithValue("$keep", CrlsKeptPerScope);
        insert.ExecuteNonQuery();
        transaction.Commit();
    }

    public CrlRecord? FindLatestCrl(string caSlug, int? partition)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT number, this_update, next_update, entries, der FROM crls
            WHERE ca_slug = $ca AND partition = $partition ORDER BY number DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$ca", caSlug);
        command.Parameters.AddWithValue("$partition", partition ?? -1);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new CrlRecord(caSlug, partition, reader.GetInt64(0), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)),
            DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetInt32(3), (byte[])reader[4]);
    }

    internal static CertificateRecord ReadCertificate(SqliteDataReader reader, int offset = 0) => new()
    {
        SerialHex = reader.GetString(offset + 0),
        CaSlug = reader.GetString(offset + 1),
        Profile = reader.GetString(offset + 2),
        Partition = reader.GetInt32(offset + 3),
        SubjectDisplay = reader.GetString(offset + 4),
        Srn = reader.GetString(offset + 5),
        NotBefore = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(offset + 6)),
        NotAfter = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(offset + 7)),
        State = ParseState(reader.GetString(offset + 8)),
        RevokedAt = reader.IsDBNull(offset + 9) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(offset + 9)),
        Reason = reader.IsDBNull(offset + 10) ? null : (RevocationReason)reader.GetInt32(offset + 10),
        InvalidityDate = reader.IsDBNull(offset + 11) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(offset + 11)),
        StatusChangedAt = reader.IsDBNull(offset + 12) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(offset + 12)),
        Der = reader.IsDBNull(offset + 13) ? null : (byte[])reader[offset + 13],
        Published = reader.GetInt64(offset + 14) != 0,
        SuspendedFor = reader.IsDBNull(offset + 15) ? null : reader.GetString(offset + 15),
    };

    private static string StateName(CertificateState state) => state.ToString().ToLowerInvariant();

    private static CertificateState ParseState(string text) => Enum.Parse<CertificateState>(text, ignoreCase: true);
}
