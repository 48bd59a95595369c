using ECert.Storage;

namespace ECert.Storage.Tests;

public sealed class MigrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-storage-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void MigratingTwiceAppliesEachMigrationOnce()
    {
        var database = new SqliteDatabase(Path.Combine(_folder, "ecert.db"));
        database.Migrate();
        database.Migrate();
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.True(reader.GetInt64(0) >= 2);
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
    }
}
