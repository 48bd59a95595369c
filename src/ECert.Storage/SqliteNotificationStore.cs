using ECert.Core;
using ECert.Core.Service;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>The queue of e-mail notifications and their delivery record in SQLite.</summary>
public sealed class SqliteNotificationStore(SqliteDatabase database) : INotificationStore
{
    /// <summary>After this many failed attempts a notification is no longer listed as due.</summary>
    public const int MaxAttempts = 10;

    private const string Columns = "id, kind, srn, serial, recipient, subject, body, due_at, sent_at, attempts, last_error";

    /// <summary>
    /// Queues the notification (its <see cref="Notification.Id"/> is ignored; the database assigns
    /// one). False when one of the same kind for the same certificate is already queued or sent.
    /// Notifications without a serial are never duplicates of each other.
    /// </summary>
    public bool Queue(Notification notification)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // ON CONFLICT on the (kind, serial) key only: any other constraint still fails loudly.
        command.CommandText = """
            INSERT INTO notifications (kind, srn, serial, recipient, subject, body, due_at, sent_at, attempts, last_error)
            VALUES ($kind, $srn, $serial, $recipient, $subject, $body, $due, $sent, $attempts, $error)
            ON CONFLICT (kind, serial) DO NOTHING
            """;
        command.Parameters.AddWithValue("$kind", notification.Kind);
        command.Parameters.AddWithValue("$srn", Value(notification.Srn));
        command.Parameters.AddWithValue("$serial", Value(notification.Serial));
        command.Parameters.AddWithValue("$recipient", notification.Recipient);
        command.Parameters.AddWithValue("$subject", notification.Subject);
        command.Parameters.AddWithValue("$body", notification.Body);
        command.Parameters.AddWithValue("$due", notification.DueAt.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$sent", Value(notification.SentAt?.ToUnixTimeSeconds()));
        command.Parameters.AddWithValue("$attempts", notification.Attempts);
        command.Parameters.AddWithValue("$error", Value(notification.LastError));
        try
        {
            return command.ExecuteNonQuery() == 1;
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == 787) // SQLITE_CONSTRAINT_FOREIGNKEY
        {
            throw ECertException.NotFound($"the {notification.Kind} notification is for subscriber {notification.Srn}, who is not registered");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Invalid($"the {notification.Kind} notification was refused by the database: {e.Message}");
        }
    }

    public IReadOnlyList<Notification> ListDue(DateTimeOffset now, int max)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM notifications
            WHERE sent_at IS NULL AND due_at <= $now AND attempts < $maxAttempts
            ORDER BY due_at, id
            LIMIT $max
            """;
        command.Parameters.AddWithValue("$now", now.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$maxAttempts", MaxAttempts);
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
        return Read(command);
    }

    public IReadOnlyList<Notification> ListFor(string srn)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM notifications WHERE srn = $srn ORDER BY due_at, id";
        command.Parameters.AddWithValue("$srn", srn);
        return Read(command);
    }

    public void MarkSent(long id, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE notifications SET sent_at = $at WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        if (command.ExecuteNonQuery() != 1)
            throw ECertException.NotFound($"no notification {id}");
    }

    public void MarkFailed(long id, string error)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE notifications SET attempts = attempts + 1, last_error = $error WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$error", error);
        if (command.ExecuteNonQuery() != 1)
            throw ECertException.NotFound($"no notification {id}");
    }

    private static List<Notification> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var notifications = new List<Notification>();
        while (reader.Read())
            notifications.Add(new Notification
            {
                Id = reader.GetInt64(0),
                Kind = reader.GetString(1),
                Srn = reader.IsDBNull(2) ? null : reader.GetString(2),
                Serial = reader.IsDBNull(3) ? null : reader.GetString(3),
                Recipient = reader.GetString(4),
                Subject = reader.GetString(5),
                Body = reader.GetString(6),
                DueAt = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(7)),
                SentAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(8)),
                Attempts = reader.GetInt32(9),
                LastError = reader.IsDBNull(10) ? null : reader.GetString(10),
            });
        return notifications;
    }

    private static object Value(object? value) => value ?? DBNull.Value;
}
