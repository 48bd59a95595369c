using System.Diagnostics;
using ECert.Storage;
using Microsoft.Data.Sqlite;

namespace ECert.Cli.Bench;

/// <summary>
/// Status lookups against a store of a given size: a scratch SQLite database with ECert's schema
/// (the checked-in migrations), filled with synthetic certificate rows by a recursive CTE (random
/// serials, a 16-byte placeholder instead of the DER), then random lookups of present serials
/// through SqliteCertificateStore.FindCertificate, the call behind every OCSP answer.
/// </summary>
internal static class StoreLookups
{
    public sealed record Measurement(long Rows, int Lookups, double LookupsPerSecond, TimeSpan FillTime, long FileBytes);

    public static Measurement Measure(string path, long rows, int lookups, Action<string> progress)
    {
        if (File.Exists(path)) File.Delete(path);
        var database = new SqliteDatabase(path);
        database.Migrate();
        database.CloseAll();
        var fill = Stopwatch.StartNew();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, ForeignKeys = false }.ToString()))
        {
            connection.Open();
            Execute(connection, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
            const long batch = 1_000_000;
            for (long done = 0; done < rows; done += batch)
            {
                var count = Math.Min(batch, rows - done);
                using var command = connection.CreateCommand();
                command.CommandText = """
                    WITH RECURSIVE n(i) AS (SELECT $first UNION ALL SELECT i + 1 FROM n WHERE i < $last)
                    INSERT INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state, reserved_at, der)
                    SELECT upper(hex(randomblob(16))), 'personal-g1', 'personal-smartid', i / 10000, 'BENCH Subscriber', printf('%010d', i),
                           1795000000, 1890000000, 'valid', 1795000000, zeroblob(16)
                    FROM n
                    """;
                command.Parameters.AddWithValue("$first", done + 1);
                command.Parameters.AddWithValue("$last", done + count);
                command.CommandTimeout = 0;
                using (var transaction = connection.BeginTransaction())
                {
                    command.Transaction = transaction;
                    command.ExecuteNonQuery();
                    transaction.Commit();
                }
                if (rows > batch) progress($"{done + count:N0} of {rows:N0} rows");
            }
        }
        fill.Stop();

        // The serials to look up: present rows picked at random by rowid.
        var serials = new string[lookups];
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT serial FROM certificates WHERE rowid = $rowid";
            var rowid = command.Parameters.Add("$rowid", SqliteType.Integer);
            var random = new Random(20261128);
            for (var i = 0; i < lookups; i++)
            {
                rowid.Value = random.NextInt64(1, rows + 1);
                serials[i] = (string)command.ExecuteScalar()!;
            }
        }

        var store = new SqliteCertificateStore(database);
        for (var i = 0; i < Math.Min(10_000, lookups); i++) store.FindCertificate(serials[i]);
        var clock = Stopwatch.StartNew();
        var found = 0;
        foreach (var serial in serials)
            if (store.FindCertificate(serial) is not null) found++;
        clock.Stop();
        if (found != lookups) throw new InvalidOperationException($"only {found} of {lookups} serials were found in {path}");
        database.CloseAll();
        return new Measurement(rows, lookups, lookups / clock.Elapsed.TotalSeconds, fill.Elapsed, new FileInfo(path).Length);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
