using ECert.Core;
using ECert.Core.Privacy;
using ECert.Core.Service;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>
/// Subscribers and organisations in SQLite. A person's name, Chinese name, e-mail addresses and
/// postal address are encrypted at rest by the field protector (docs/privacy.md).
/// </summary>
public sealed class SqliteSubscriberStore(SqliteDatabase database, IFieldProtector? protector = null) : ISubscriberStore
{
    private readonly IFieldProtector _protector = protector ?? NoFieldProtection.Instance;

    private string? Seal(string? value, string column, string srn) => _protector.Protect(value, $"subscribers.{column}.{srn}");
    private string? Open(string? value, string column, string srn) => _protector.Unprotect(value, $"subscribers.{column}.{srn}");

    private const string SubscriberColumns =
        "srn, kind, name, chinese_name, identity_hash, identity_masked, certificate_email, contact_email, postal_address, br_number, org_unit, role, created_at";

    private const int ForeignKeyFailed = 787;  // SQLITE_CONSTRAINT_FOREIGNKEY
    private const int PrimaryKeyFailed = 1555; // SQLITE_CONSTRAINT_PRIMARYKEY
    private const int UniqueFailed = 2067;     // SQLITE_CONSTRAINT_UNIQUE

    public void AddOrganisation(Organisation organisation)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO organisations (br_number, name, address, created_at) VALUES ($br, $name, $address, $created)";
        command.Parameters.AddWithValue("$br", organisation.BrNumber);
        command.Parameters.AddWithValue("$name", organisation.Name);
        command.Parameters.AddWithValue("$address", organisation.Address);
        command.Parameters.AddWithValue("$created", organisation.CreatedAt.ToUnixTimeSeconds());
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"organisation {organisation.BrNumber} is already registered");
        }
    }

    public Organisation? FindOrganisation(string brNumber)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT br_number, name, address, created_at FROM organisations WHERE br_number = $br";
        command.Parameters.AddWithValue("$br", brNumber);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new Organisation(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)));
    }

    public void AddSubscriber(Subscriber subscriber)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO subscribers ({SubscriberColumns})
            VALUES ($srn, $kind, $name, $chinese, $hash, $masked, $certEmail, $contactEmail, $postal, $br, $unit, $role, $created)
            """;
        command.Parameters.AddWithValue("$srn", subscriber.Srn);
        command.Parameters.AddWithValue("$kind", Subscriber.KindName(subscriber.Kind));
        command.Parameters.AddWithValue("$name", Seal(subscriber.Name, "name", subscriber.Srn)!);
        command.Parameters.AddWithValue("$chinese", Value(Seal(subscriber.ChineseName, "chinese_name", subscriber.Srn)));
        command.Parameters.AddWithValue("$hash", Value(subscriber.IdentityHash));
        command.Parameters.AddWithValue("$masked", Value(subscriber.IdentityMasked));
        command.Parameters.AddWithValue("$certEmail", Value(Seal(subscriber.CertificateEmail, "certificate_email", subscriber.Srn)));
        command.Parameters.AddWithValue("$contactEmail", Value(Seal(subscriber.ContactEmail, "contact_email", subscriber.Srn)));
        command.Parameters.AddWithValue("$postal", Value(Seal(subscriber.PostalAddress, "postal_address", subscriber.Srn)));
        command.Parameters.AddWithValue("$br", Value(subscriber.BrNumber));
        command.Parameters.AddWithValue("$unit", Value(subscriber.OrgUnit));
        command.Parameters.AddWithValue("$role", Value(subscriber.Role));
        command.Parameters.AddWithValue("$created", subscriber.CreatedAt.ToUnixTimeSeconds());
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == ForeignKeyFailed)
        {
            throw ECertException.NotFound($"organisation {subscriber.BrNumber} of subscriber {subscriber.Srn} is not registered");
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == PrimaryKeyFailed)
        {
            throw ECertException.Conflict($"SRN {subscriber.Srn} is already used by another subscriber");
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == UniqueFailed)
        {
            throw ECertException.Conflict($"a person with this identity number is already registered (masked {subscriber.IdentityMasked ?? "?"}); find them instead of adding them again");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"subscriber {subscriber.Srn} was refused by the database: {e.Message}");
        }
    }

    public Subscriber? FindSubscriber(string srn)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SubscriberColumns} FROM subscribers WHERE srn = $srn";
        command.Parameters.AddWithValue("$srn", srn);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSubscriber(reader) : null;
    }

    public Subscriber? FindPersonByIdentity(byte[] identityHash)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SubscriberColumns} FROM subscribers WHERE kind = 'person' AND identity_hash = $hash";
        command.Parameters.AddWithValue("$hash", identityHash);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSubscriber(reader) : null;
    }

    public IReadOnlyList<Subscriber> ListSubscribers(string? brNumber = null)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SubscriberColumns} FROM subscribers WHERE $br IS NULL OR br_number = $br ORDER BY srn";
        command.Parameters.AddWithValue("$br", Value(brNumber));
        using var reader = command.ExecuteReader();
        var subscribers = new List<Subscriber>();
        while (reader.Read()) subscribers.Add(ReadSubscriber(reader));
        return subscribers;
    }

    private Subscriber ReadSubscriber(SqliteDataReader reader)
    {
        var srn = reader.GetString(0);
        return new Subscriber
        {
        Srn = srn,
        Kind = Subscriber.ParseKind(reader.GetString(1)),
        Name = Open(reader.GetString(2), "name", srn)!,
        ChineseName = Open(Text(reader, 3), "chinese_name", srn),
        IdentityHash = reader.IsDBNull(4) ? null : (byte[])reader[4],
        IdentityMasked = Text(reader, 5),
        CertificateEmail = Open(Text(reader, 6), "certificate_email", srn),
        ContactEmail = Open(Text(reader, 7), "contact_email", srn),
        PostalAddress = Open(Text(reader, 8), "postal_address", srn),
        BrNumber = Text(reader, 9),
        OrgUnit = Text(reader, 10),
        Role = Text(reader, 11),
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(12)),
        };
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static object Value(object? value) => value ?? DBNull.Value;
}
