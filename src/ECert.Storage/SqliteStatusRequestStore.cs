using System.Globalization;
using ECert.Core;
using ECert.Core.Service;
using ECert.Core.Status;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Revocation, suspension and resumption requests in SQLite (table status_requests).</summary>
public sealed class SqliteStatusRequestStore(SqliteDatabase database) : IStatusRequestStore
{
    private const string Columns = "id, serial, action, channel, requested_by, requester_role, reason, received_at, done_at, state, note, officer_id, outlet_code";

    public string NextStatusRequestId(int year) =>
        string.Create(CultureInfo.InvariantCulture, $"REQ-{year:D4}-{database.NextInYear("status-request", year):D6}");

    public void AddStatusRequest(StatusRequest request)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO status_requests ({Columns}) VALUES ($id, $serial, $action, $channel, $by, $role, $reason, $received, $done, $state, $note, $officer, $outlet)";
        Bind(command, request);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"status request {request.Id} cannot be stored: {e.Message}");
        }
    }

    public bool UpdateStatusRequest(StatusRequest updated, string expectedState)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE status_requests SET done_at = $done, state = $state, note = $note WHERE id = $id AND state = $expected";
        Bind(command, updated);
        command.Parameters.AddWithValue("$expected", expectedState);
        return command.ExecuteNonQuery() == 1;
    }

    public StatusRequest? FindStatusRequest(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM status_requests WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public IReadOnlyList<StatusRequest> ListStatusRequests(DateTimeOffset from, DateTimeOffset until)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM status_requests WHERE received_at >= $from AND received_at < $until ORDER BY received_at, id";
        command.Parameters.AddWithValue("$from", from.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$until", until.ToUnixTimeSeconds());
        using var reader = command.ExecuteReader();
        var list = new List<StatusRequest>();
        while (reader.Read()) list.Add(Read(reader));
        return list;
    }

    private static void Bind(SqliteCommand command, StatusRequest request)
    {
        command.Parameters.AddWithValue("$id", request.Id);
        command.Parameters.AddWithValue("$serial", request.Serial);
        command.Parameters.AddWithValue("$action", request.Action.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$channel", StatusRequest.ChannelName(request.Channel));
        command.Parameters.AddWithValue("$by", request.RequestedBy);
        command.Parameters.AddWithValue("$role", request.RequesterRole);
        command.Parameters.AddWithValue("$reason", request.Reason is { } r ? (int)r : DBNull.Value);
        command.Parameters.AddWithValue("$received", request.ReceivedAt.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$done", (object?)request.DoneAt?.ToUnixTimeSeconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$state", request.State);
        command.Parameters.AddWithValue("$note", (object?)request.Note ?? DBNull.Value);
        command.Parameters.AddWithValue("$officer", (object?)request.OfficerId ?? DBNull.Value);
        command.Parameters.AddWithValue("$outlet", (object?)request.OutletCode ?? DBNull.Value);
    }

    private static StatusRequest Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Serial = reader.GetString(1),
        Action = Enum.Parse<StatusAction>(reader.GetString(2), ignoreCase: true),
        Channel = StatusRequest.ParseChannel(reader.GetString(3)),
        RequestedBy = reader.GetString(4),
        RequesterRole = reader.GetString(5),
        Reason = reader.IsDBNull(6) ? null : (RevocationReason)reader.GetInt32(6),
        ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(7)),
        DoneAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(8)),
        State = reader.GetString(9),
        Note = reader.IsDBNull(10) ? null : reader.GetString(10),
        OfficerId = reader.IsDBNull(11) ? null : reader.GetString(11),
        OutletCode = reader.IsDBNull(12) ? null : reader.GetString(12),
    };
}
