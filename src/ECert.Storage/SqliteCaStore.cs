using ECert.Core;
using ECert.Core.Stores;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>The CA hierarchy and OCSP responders in SQLite.</summary>
public sealed class SqliteCaStore(SqliteDatabase database) : ICaStore
{
    public IReadOnlyList<CaRecord> ListCas()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT slug, role, parent_slug, key_id, certificate FROM certificate_authorities ORDER BY created_at, slug";
        using var reader = command.ExecuteReader();
        var list = new List<CaRecord>();
        while (reader.Read()) list.Add(ReadCa(reader));
        return list;
    }

    public CaRecord? FindCa(string slug)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT slug, role, parent_slug, key_id, certificate FROM certificate_authorities WHERE slug = $slug";
        command.Parameters.AddWithValue("$slug", slug);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCa(reader) : null;
    }

    public void AddCa(CaRecord ca)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO certificate_authorities (slug, role, parent_slug, key_id, certificate, created_at)
            VALUES ($slug, $role, $parent, $key, $cert, $created)
            """;
        command.Parameters.AddWithValue("$slug", ca.Slug);
        command.Parameters.AddWithValue("$role", ca.Role == CaRole.Root ? "root" : "issuing");
        command.Parameters.AddWithValue("$parent", (object?)ca.ParentSlug ?? DBNull.Value);
        command.Parameters.AddWithValue("$key", ca.KeyId);
        command.Parameters.AddWithValue("$cert", ca.CertificateDer);
        command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"CA '{ca.Slug}' already exists");
        }
    }

    public OcspResponderRecord? FindResponder(string caSlug)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT key_id, certificate, not_before, not_after FROM ocsp_responders
            WHERE ca_slug = $slug ORDER BY not_after DESC, id DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$slug", caSlug);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new OcspResponderRecord(caSlug, reader.GetString(0), (byte[])reader[1],
            DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)));
    }

    public void SaveResponder(OcspResponderRecord responder)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO ocsp_responders (ca_slug, key_id, certificate, not_before, not_after)
            VALUES ($slug, $key, $cert, $nb, $na)
            """;
        command.Parameters.AddWithValue("$slug", responder.CaSlug);
        command.Parameters.AddWithValue("$key", responder.KeyId);
        command.Parameters.AddWithValue("$cert", responder.CertificateDer);
        command.Parameters.AddWithValue("$nb", responder.NotBefore.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$na", responder.NotAfter.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
    }

    private static CaRecord ReadCa(SqliteDataReader reader) => new()
    {
        Slug = reader.GetString(0),
        Role = reader.GetString(1) == "root" ? CaRole.Root : CaRole.Issuing,
        ParentSlug = reader.IsDBNull(2) ? null : reader.GetString(2),
        KeyId = reader.GetString(3),
        CertificateDer = (byte[])reader[4],
    };
}
