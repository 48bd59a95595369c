using ECert.Storage;

namespace ECert.Storage.Tests;

/// <summary>
/// A migrated SQLite database in a temporary folder, with the issuing CA row that certificate rows
/// refer to, and plain SQL helpers for arranging rows and counting them.
/// </summary>
public sealed class ScratchDatabase : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-store-").FullName;

    public ScratchDatabase()
    {
        Database = new SqliteDatabase(Path.Combine(_folder, "ecert.db"));
        Database.Migrate();
        Execute("INSERT INTO certificate_authorities (slug, role, key_id, certificate, created_at) VALUES ('personal-g1', 'issuing', 'k', x'00', 0)");
    }

    public SqliteDatabase Database { get; }

    public void Execute(string sql)
    {
        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public long Count(string sql)
    {
        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
