using System.Globalization;
using ECert.Core;
using ECert.Core.Privacy;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Data access and correction requests in SQLite.</summary>
public sealed class SqliteDataRequestStore(SqliteDatabase database, IFieldProtector? protector = null) : IDataRequestStore
{
    private readonly IFieldProtector _protector = protector ?? NoFieldProtection.Instance;

    private const string Columns = "id, srn, kind, received_at, due_at, completed_at, note";

    public string NextDataRequestId(int year) =>
        string.Create(CultureInfo.InvariantCulture, $"DAR-{year:D4}-{database.NextInYear("data-request", year):D6}");

    public void AddDataRequest(DataRequest request)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO data_requests ({Columns}) VALUES ($id, $srn, $kind, $received, $due, NULL, $note)";
        command.Parameters.AddWithValue("$id", request.Id);
        command.Parameters.AddWithValue("$srn", request.Srn);
        command.Parameters.AddWithValue("$kind", request.Kind);
        command.Parameters.AddWithValue("$received", request.ReceivedAt.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$due", request.DueAt.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$note", (object?)request.Note ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    public DataRequest? FindDataRequest(string id) => Query($"SELECT {Columns} FROM data_requests WHERE id = $id", ("$id", id)).FirstOrDefault();

    public bool CompleteDataRequest(string id, DateTimeOffset at, string? note)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE data_requests SET completed_at = $at, note = COALESCE($note, note) WHERE id = $id AND completed_at IS NULL";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$note", (object?)note ?? DBNull.Value);
        return command.ExecuteNonQuery() == 1;
    }

    public IReadOnlyList<DataRequest> ListOpenDataRequests() =>
        Query($"SELECT {Columns} FROM data_requests WHERE completed_at IS NULL ORDER BY due_at, id");

    public void CorrectSubscriber(string srn, string field, string? value, DateTimeOffset at)
    {
        var column = field switch
        {
            "contact-email" => "contact_email",
            "postal-address" => "postal_address",
            "chinese-name" => "chinese_name",
            _ => throw ECertException.Invalid($"'{field}' cannot be corrected"),
        };
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = $"UPDATE subscribers SET {column} = $value WHERE srn = $srn";
            // Corrected values are encrypted like the rest of the subscriber's personal fields.
            update.Parameters.AddWithValue("$value", (object?)_protector.Protect(value, $"subscribers.{column}.{srn}") ?? DBNull.Value);
            update.Parameters.AddWithValue("$srn", srn);
            if (update.ExecuteNonQuery() != 1) throw ECertException.NotFound($"no subscriber with SRN {srn}");
        }
        using (var record = connection.CreateCommand())
        {
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO corrections (srn, field, at) VALUES ($srn, $field, $at)";
            record.Parameters.AddWithValue("$srn", srn);
            record.Parameters.AddWithValue("$field", field);
            record.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
            record.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private List<DataRequest> Query(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var list = new List<DataRequest>();
        while (reader.Read())
            list.Add(new DataRequest
            {
                Id = reader.GetString(0), Srn = reader.GetString(1), Kind = reader.GetString(2),
                ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)), DueAt = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)),
                CompletedAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5)),
                Note = reader.IsDBNull(6) ? null : reader.GetString(6),
            });
        return list;
    }
}
