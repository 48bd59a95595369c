using ECert.Core.Access;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Staff members and the hashes of their API keys.</summary>
public sealed class SqliteStaffStore(SqliteDatabase database) : IStaffStore
{
    public void AddStaff(StaffMember member)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO staff (id, name, role, key_hash, created_at, active) VALUES ($id, $name, $role, $hash, $at, 1)";
        command.Parameters.AddWithValue("$id", member.Id);
        command.Parameters.AddWithValue("$name", member.Name);
        command.Parameters.AddWithValue("$role", member.Role);
        command.Parameters.AddWithValue("$hash", member.KeyHash);
        command.Parameters.AddWithValue("$at", member.CreatedAt.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
    }

    public StaffMember? FindStaffByKeyHash(string keyHash) =>
        Query("SELECT id, name, role, key_hash, created_at, active, certificate_serial FROM staff WHERE key_hash = $h", keyHash).FirstOrDefault();

    public IReadOnlyList<StaffMember> ListStaff() => Query("SELECT id, name, role, key_hash, created_at, active, certificate_serial FROM staff ORDER BY id", null);

    public bool DeactivateStaff(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE staff SET active = 0 WHERE id = $id AND active = 1";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteNonQuery() == 1;
    }

    public bool BindCertificate(string id, string serialHex)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE staff SET certificate_serial = $serial WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$serial", serialHex);
        try { return command.ExecuteNonQuery() == 1; }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) { throw ECert.Core.ECertException.Conflict($"certificate {serialHex} is bound to another member of staff"); }
    }

    public StaffMember? FindStaffByCertificate(string serialHex) =>
        Query("SELECT id, name, role, key_hash, created_at, active, certificate_serial FROM staff WHERE certificate_serial = $h", serialHex).FirstOrDefault();

    private List<StaffMember> Query(string sql, string? hash)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (hash is not null) command.Parameters.AddWithValue("$h", hash);
        using var reader = command.ExecuteReader();
        var list = new List<StaffMember>();
        while (reader.Read())
            list.Add(new StaffMember(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)), reader.GetInt64(5) != 0, reader.IsDBNull(6) ? null : reader.GetString(6)));
        return list;
    }
}
