using ECert.Core;
using ECert.Core.Status;
using ECert.Core.Stores;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE certificates SET state = 'valid', der = $der, published = $published WHERE serial = $serial AND state = 'reserved'";
        command.Parameters.AddWithValue("$serial", serialHex);
        command.Parameters.AddWithValue("$der", der);
        command.Parameters.AddWithValue("$published", published ? 1 : 0);
        if (command.ExecuteNonQuery() != 1)
            throw new ECertException(ErrorKind.Internal, $"serial {serialHex} was not reserved; the certificate was not stored");
        // Reserved -> valid is a status change for OCSP: the responders' poll pre-signs the answer at
        // once (their walk over new certificates may have passed the row while it was reserved).
        // The log's time only serves pruning, so the system clock will do.
        SqliteOcspResponseStore.WithdrawResponse(connection, transaction, serialHex, DateTimeOffset.UtcNow);
        transaction.Commit();
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

    /// <summary>
    /// The snapshot is a read transaction on its own connection, begun while another connection
    /// holds the write lock (BEGIN IMMEDIATE) to allocate the CRL numbers. In WAL mode the read
    /// transaction sees every commit made before it starts; while the lock is held no status
    /// change can commit, so the entries it reads are exactly the state at the moment the numbers
    /// were taken. A later run takes its numbers (higher) only after this lock is released, and its
    /// snapshot is therefore at least as recent: a higher-numbered CRL never misses a revocation a
    /// lower one shows. Unlike one write transaction around the whole run, revocations and issuance
    /// wait only for the number allocation, not for a million entries to be encoded and stored.
    /// </summary>
    public ICrlSnapshot OpenCrlSnapshot(string caSlug, DateTimeOffset at, int? onlyPartition = null)
    {
        using var writer = database.Open();
        using var allocation = writer.BeginTransaction(); // BEGIN IMMEDIATE: the write lock
        var reader = database.Open();
        try
        {
            var snapshot = reader.BeginTransaction(deferred: true);
            // The first read starts the snapshot, under the lock held by the allocation.
            var partitions = PartitionCount(reader, snapshot, caSlug);
            var numbers = onlyPartition is null ? 1 + partitions : 1;
            using var allocate = writer.CreateCommand();
            allocate.Transaction = allocation;
            allocate.CommandText = "UPDATE certificate_authorities SET crl_number = crl_number + $n WHERE slug = $ca RETURNING crl_number";
            allocate.Parameters.AddWithValue("$ca", caSlug);
            allocate.Parameters.AddWithValue("$n", numbers);
            var last = allocate.ExecuteScalar() as long? ?? throw ECertException.NotFound($"CA '{caSlug}' does not exist");
            allocation.Commit();
            return new SqliteCrlSnapshot(reader, snapshot, caSlug, at, last - numbers + 1, partitions);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An open CRL snapshot. Each <see cref="Entries"/> call is one query on the covering index
    /// certificates_on_crls (migration 0012), in index order, so no large certificate row is read
    /// and nothing is sorted or held in memory.
    /// </summary>
    private sealed class SqliteCrlSnapshot(SqliteConnection connection, SqliteTransaction transaction, string caSlug, DateTimeOffset at,
        long firstNumber, int partitionCount) : ICrlSnapshot
    {
        public long FirstNumber => firstNumber;
        public int PartitionCount => partitionCount;

        /// <remarks>
        /// Read with SQLitePCL's own calls on the connection's handle (inside its read transaction),
        /// which skip SqliteDataReader's per-column checks: a million rows are read per full CRL.
        /// </remarks>
        public IEnumerable<RevokedEntry> Entries(int? partition)
        {
            var sql = $"""
                SELECT serial, partition, revoked_at, reason, invalidity_date FROM certificates
                WHERE ca_slug = ?1 AND state IN ('revoked', 'suspended') AND not_after >= ?2
                  {(partition is null ? "" : "AND partition = ?3")}
                ORDER BY partition, serial
                """;
            Check(raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement));
            using (statement)
            {
                Check(raw.sqlite3_bind_text(statement, 1, caSlug));
                Check(raw.sqlite3_bind_int64(statement, 2, at.ToUnixTimeSeconds()));
                if (partition is { } p) Check(raw.sqlite3_bind_int(statement, 3, p));
                int status;
                while ((status = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                    yield return new RevokedEntry(
                        Encoding.ASCII.GetString(raw.sqlite3_column_blob(statement, 0)),
                        raw.sqlite3_column_int(statement, 1),
                        DateTimeOffset.FromUnixTimeSeconds(raw.sqlite3_column_int64(statement, 2)),
                        raw.sqlite3_column_type(statement, 3) == raw.SQLITE_NULL ? RevocationReason.Unspecified : (RevocationReason)raw.sqlite3_column_int(statement, 3),
                        raw.sqlite3_column_type(statement, 4) == raw.SQLITE_NULL ? null : DateTimeOffset.FromUnixTimeSeconds(raw.sqlite3_column_int64(statement, 4)));
                if (status != raw.SQLITE_DONE) Check(status);
            }
        }

        private void Check(int status)
        {
            if (status != raw.SQLITE_OK)
                throw new ECertException(ErrorKind.Internal, $"the database refused to read the CRL entries: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}");
        }

        public void Dispose()
        {
            transaction.Dispose(); // rolls back the read transaction
            connection.Dispose();
        }
    }

    public int PartitionCount(string caSlug)
    {
        using var connection = database.Open();
        return PartitionCount(connection, null, caSlug);
    }

    /// <summary>MAX over the index certificates_by_partition: one seek, whatever the table's size.</summary>
    private static int PartitionCount(SqliteConnection connection, SqliteTransaction? transaction, string caSlug)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(partition), 0) + 1 FROM certificates WHERE ca_slug = $ca";
        command.Parameters.AddWithValue("$ca", caSlug);
        return (int)(long)command.ExecuteScalar()!;
    }

    public IReadOnlyList<CrlCoverage> CrlCoverage()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.slug,
                   CASE WHEN EXISTS (SELECT 1 FROM crls WHERE ca_slug = a.slug AND partition = -1) THEN
                       (SELECT MIN(c.next_update) FROM crls c
                        WHERE c.ca_slug = a.slug AND c.number = (SELECT MAX(number) FROM crls d WHERE d.ca_slug = a.slug AND d.partition = c.partition))
                   END,
                   (SELECT COALESCE(MAX(partition), 0) + 1 FROM certificates WHERE ca_slug = a.slug)
                     > (SELECT COUNT(DISTINCT partition) FROM crls WHERE ca_slug = a.slug AND partition >= 0)
            FROM certificate_authorities a
            """;
        using var reader = command.ExecuteReader();
        var coverage = new List<CrlCoverage>();
        while (reader.Read())
            coverage.Add(new CrlCoverage(reader.GetString(0),
                reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)), reader.GetInt64(2) != 0));
        return coverage;
    }

    /// <summary>
    /// Reserves the CRL's exact size with zeroblob() and fills it through an incremental blob
    /// stream, so a CRL of tens of megabytes is never held in memory; then prunes old CRLs.
    /// </summary>
    public void SaveCrl(CrlRecord crl, Action<Stream> writeDer)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO crls (ca_slug, partition, number, this_update, next_update, entries, der)
            VALUES ($ca, $partition, $number, $this, $next, $entries, zeroblob($bytes))
            RETURNING rowid
            """;
        insert.Parameters.AddWithValue("$ca", crl.CaSlug);
        insert.Parameters.AddWithValue("$partition", crl.Partition ?? -1);
        insert.Parameters.AddWithValue("$number", crl.Number);
        insert.Parameters.AddWithValue("$this", crl.ThisUpdate.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$next", crl.NextUpdate.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("$entries", crl.EntryCount);
        insert.Parameters.AddWithValue("$bytes", crl.Bytes);
        var rowid = (long)insert.ExecuteScalar()!;
        using (var blob = new SqliteBlob(connection, "crls", "der", rowid))
        {
            writeDer(blob);
            if (blob.Position != crl.Bytes)
                throw new ECertException(ErrorKind.Internal, $"the CRL wrote {blob.Position} bytes, not the {crl.Bytes} announced; nothing was stored");
        }

        using var prune = connection.CreateCommand();
        prune.Transaction = transaction;
        prune.CommandText = """
            DELETE FROM crls WHERE ca_slug = $ca AND partition = $partition
              AND number NOT IN (SELECT number FROM crls WHERE ca_slug = $ca AND partition = $partition ORDER BY number DESC LIMIT $keep)
            """;
        prune.Parameters.AddWithValue("$ca", crl.CaSlug);
        prune.Parameters.AddWithValue("$partition", crl.Partition ?? -1);
        prune.Parameters.AddWithValue("$keep", CrlsKeptPerScope);
        prune.ExecuteNonQuery();
        transaction.Commit();
    }

    public CrlRecord? FindLatestCrl(string caSlug, int? partition)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT number, this_update, next_update, entries, length(der) FROM crls
            WHERE ca_slug = $ca AND partition = $partition ORDER BY number DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$ca", caSlug);
        command.Parameters.AddWithValue("$partition", partition ?? -1);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new CrlRecord(caSlug, partition, reader.GetInt64(0), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)),
            DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetInt32(3), reader.GetInt64(4));
    }

    /// <summary>
    /// A read-only blob stream over the stored DER. It holds its own connection (closed with the
    /// stream) and, in WAL mode, a read snapshot: pruning by a later save does not cut it short.
    /// </summary>
    public Stream? OpenCrl(CrlRecord crl)
    {
        var connection = database.Open();
        try
        {
            // One read transaction for the lookup and the blob, so a concurrent prune cannot come between.
            var transaction = connection.BeginTransaction(deferred: true);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT rowid FROM crls WHERE ca_slug = $ca AND partition = $partition AND number = $number";
            command.Parameters.AddWithValue("$ca", crl.CaSlug);
            command.Parameters.AddWithValue("$partition", crl.Partition ?? -1);
            command.Parameters.AddWithValue("$number", crl.Number);
            if (command.ExecuteScalar() is not long rowid)
            {
                transaction.Dispose();
                connection.Dispose();
                return null;
            }
            return new BlobReadStream(new SqliteBlob(connection, "crls", "der", rowid, readOnly: true), transaction, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A read-only blob stream that ends its read transaction and closes its connection when disposed.</summary>
    private sealed class BlobReadStream(SqliteBlob blob, SqliteTransaction transaction, SqliteConnection connection) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => blob.Length;
        public override long Position { get => blob.Position; set => blob.Position = value; }
        public override int Read(byte[] buffer, int offset, int count) => blob.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => blob.Read(buffer);
        public override long Seek(long offset, SeekOrigin origin) => blob.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                blob.Dispose();
                transaction.Dispose();
                connection.Dispose();
            }
            base.Dispose(disposing);
        }
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
