using System.Reflection;
using ECert.Core;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>
/// Opens the SQLite database (WAL, so the server reads while the CLI writes) and applies the
/// checked-in migrations in order, each in its own transaction.
/// </summary>
public sealed class SqliteDatabase
{
    private const string MigrationFolder = "Migrations/Sqlite/";

    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // busy_timeout lets a writer wait for another process's write instead of failing at once.
        pragmas.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The next number of a yearly sequence (application ids, receipts, requests, ceremonies):
    /// 1, 2, 3 ... restarting each year.
    /// </summary>
    public long NextInYear(string name, int year)
    {
        using var connection = Open();
        return NextInYear(connection, null, name, year);
    }

    /// <summary>The same inside a caller's transaction, so a rolled-back write leaves no gap.</summary>
    public static long NextInYear(SqliteConnection connection, SqliteTransaction? transaction, string name, int year)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO counters_by_year (name, year, value) VALUES ($name, $year, 1)
            ON CONFLICT (name, year) DO UPDATE SET value = value + 1
            RETURNING value
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$year", year);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Closes the pooled connections so the database file can be moved.</summary>
    public void CloseAll() => SqliteConnection.ClearAllPools();

    /// <summary>Creates or upgrades the schema; safe to call on every start.</summary>
    public void Migrate()
    {
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode = WAL;");
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);");
        var assembly = typeof(SqliteDatabase).Assembly;
        foreach (var (version, name, resource) in Migrations(assembly))
        {
            using var transaction = connection.BeginTransaction();
            using var check = connection.CreateCommand();
            check.Transaction = transaction;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $v";
            check.Parameters.AddWithValue("$v", version);
            if ((long)check.ExecuteScalar()! > 0) continue;
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            using var apply = connection.CreateCommand();
            apply.Transaction = transaction;
            apply.CommandText = reader.ReadToEnd() + ";INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, unixepoch());";
            apply.Parameters.AddWithValue("$v", version);
            apply.Parameters.AddWithValue("$n", name);
            apply.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static IEnumerable<(int Version, string Name, string Resource)> Migrations(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(MigrationFolder, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal))
            .Select(r =>
            {
                var file = r[MigrationFolder.Length..];
                var version = int.Parse(file.AsSpan(0, file.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture);
                return (version, file, r);
            })
            .OrderBy(m => m.version);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static ECertException StoreError(string what, SqliteException e) =>
        new(ErrorKind.Internal, $"the database refused to {what}: {e.Message}", e);
}
