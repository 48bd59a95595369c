using ECert.Core;
using ECert.Core.Privacy;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>The consent register in SQLite. Times in Unix milliseconds, so a withdrawal takes effect at once.</summary>
public sealed class SqliteConsentStore(SqliteDatabase database) : IConsentStore
{
    private const string Columns = "id, srn, service_class, data_kinds, notice_version, channel, given_at, withdrawn_at, withdrawn_channel";

    public void AddNotice(CollectionNotice notice)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO collection_notices (version, published_at, text_sha256, service_classes, data_kinds) VALUES ($v, $at, $hash, $classes, $kinds)";
        command.Parameters.AddWithValue("$v", notice.Version);
        command.Parameters.AddWithValue("$at", notice.PublishedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$hash", notice.TextSha256);
        command.Parameters.AddWithValue("$classes", string.Join(',', notice.ServiceClasses));
        command.Parameters.AddWithValue("$kinds", string.Join(',', notice.DataKinds));
        try { command.ExecuteNonQuery(); }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) { throw ECertException.Conflict($"notice {notice.Version} exists"); }
    }

    public CollectionNotice? FindNotice(string version)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, published_at, text_sha256, service_classes, data_kinds FROM collection_notices WHERE version = $v";
        command.Parameters.AddWithValue("$v", version);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new CollectionNotice(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                Split(reader.GetString(3)), Split(reader.GetString(4)))
            : null;
    }

    public Consent Give(Consent consent)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using (var withdraw = connection.CreateCommand())
        {
            withdraw.Transaction = transaction;
            withdraw.CommandText = "UPDATE consents SET withdrawn_at = $at, withdrawn_channel = 'superseded' WHERE srn = $srn AND service_class = $class AND withdrawn_at IS NULL";
            withdraw.Parameters.AddWithValue("$at", consent.GivenAt.ToUnixTimeMilliseconds());
            withdraw.Parameters.AddWithValue("$srn", consent.Srn);
            withdraw.Parameters.AddWithValue("$class", consent.ServiceClass);
            withdraw.ExecuteNonQuery();
        }
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO consents (srn, service_class, data_kinds, notice_version, channel, given_at)
            VALUES ($srn, $class, $kinds, $notice, $channel, $at) RETURNING id
            """;
        insert.Parameters.AddWithValue("$srn", consent.Srn);
        insert.Parameters.AddWithValue("$class", consent.ServiceClass);
        insert.Parameters.AddWithValue("$kinds", string.Join(',', consent.DataKinds));
        insert.Parameters.AddWithValue("$notice", consent.NoticeVersion);
        insert.Parameters.AddWithValue("$channel", consent.Channel);
        insert.Parameters.AddWithValue("$at", consent.GivenAt.ToUnixTimeMilliseconds());
        var id = (long)insert.ExecuteScalar()!;
        transaction.Commit();
        return consent with { Id = id, GivenAt = DateTimeOffset.FromUnixTimeMilliseconds(consent.GivenAt.ToUnixTimeMilliseconds()) };
    }

    public bool Withdraw(string srn, string serviceClass, DateTimeOffset at, string channel)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE consents SET withdrawn_at = $at, withdrawn_channel = $channel WHERE srn = $srn AND service_class = $class AND withdrawn_at IS NULL";
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$channel", channel);
        command.Parameters.AddWithValue("$srn", srn);
        command.Parameters.AddWithValue("$class", serviceClass);
        return command.ExecuteNonQuery() == 1;
    }

    public IReadOnlyList<Consent> ListFor(string srn) =>
        Query($"SELECT {Columns} FROM consents WHERE srn = $a ORDER BY given_at, id", srn, null);

    public IReadOnlyList<Consent> ListActive(string serviceClass, DateTimeOffset at) =>
        Query($"""
            SELECT {Columns} FROM consents
            WHERE service_class = $a AND given_at <= $b AND (withdrawn_at IS NULL OR withdrawn_at > $b)
            ORDER BY srn
            """, serviceClass, at.ToUnixTimeMilliseconds());

    private List<Consent> Query(string sql, string a, long? b)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$a", a);
        if (b is not null) command.Parameters.AddWithValue("$b", b);
        using var reader = command.ExecuteReader();
        var list = new List<Consent>();
        while (reader.Read())
            list.Add(new Consent
            {
                Id = reader.GetInt64(0), Srn = reader.GetString(1), ServiceClass = reader.GetString(2), DataKinds = Split(reader.GetString(3)),
                NoticeVersion = reader.GetString(4), Channel = reader.GetString(5), GivenAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                WithdrawnAt = reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                WithdrawnChannel = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        return list;
    }

    private static List<string> Split(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries)];
}
