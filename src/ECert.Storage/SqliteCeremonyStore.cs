using System.Globalization;
using ECert.Core.Ceremony;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Key ceremonies and their approvals in SQLite; one officer approves a ceremony at most once (primary key).</summary>
public sealed class SqliteCeremonyStore(SqliteDatabase database) : ICeremonyStore
{
    public string NextCeremonyId(int year) =>
        string.Create(CultureInfo.InvariantCulture, $"CER-{year:D4}-{database.NextInYear("ceremony", year):D4}");

    public void AddCeremony(CeremonyRequest request)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO ceremonies (id, operation, target, requested_by, requested_at, state, parameters) VALUES ($id, $op, $target, $by, $at, 'pending', $params)";
        command.Parameters.AddWithValue("$params", (object?)request.Parameters ?? DBNull.Value);
        command.Parameters.AddWithValue("$id", request.Id);
        command.Parameters.AddWithValue("$op", request.Operation);
        command.Parameters.AddWithValue("$target", request.Target);
        command.Parameters.AddWithValue("$by", request.RequestedBy);
        command.Parameters.AddWithValue("$at", request.RequestedAt.ToUnixTimeSeconds());
        command.ExecuteNonQuery();
    }

    public CeremonyRequest? FindCeremony(string id) => List("WHERE id = $id", id).FirstOrDefault();

    public bool Approve(string id, string officerId, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO ceremony_approvals (ceremony_id, officer_id, at) VALUES ($id, $officer, $at) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$officer", officerId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        return command.ExecuteNonQuery() == 1;
    }

    public bool MarkExecuted(string id, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE ceremonies SET state = 'executed', executed_at = $at WHERE id = $id AND state = 'pending'";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        return command.ExecuteNonQuery() == 1;
    }

    public IReadOnlyList<CeremonyRequest> ListCeremonies() => List("", null);

    private List<CeremonyRequest> List(string where, string? id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT c.id, c.operation, c.target, c.requested_by, c.requested_at, c.state, c.executed_at,
                   (SELECT group_concat(officer_id, ',') FROM (SELECT officer_id FROM ceremony_approvals a WHERE a.ceremony_id = c.id ORDER BY at, officer_id)),
                   c.parameters
            FROM ceremonies c {where} ORDER BY c.requested_at, c.id
            """;
        if (id is not null) command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        var list = new List<CeremonyRequest>();
        while (reader.Read())
            list.Add(new CeremonyRequest(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)), reader.GetString(5),
                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(6)),
                reader.IsDBNull(7) ? [] : reader.GetString(7).Split(','), reader.IsDBNull(8) ? null : reader.GetString(8)));
        return list;
    }
}
