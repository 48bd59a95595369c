using System.Globalization;
using ECert.Core;
using ECert.Core.Service;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>The outlet directory, outlet closures and the RA officers in SQLite.</summary>
public sealed class SqliteOutletStore(SqliteDatabase database) : IOutletStore
{
    private const string DateFormat = "yyyy-MM-dd";

    /// <summary>
    /// Inserts the outlet or replaces its name, address, district, services and hours. Closures are
    /// not written here (they are kept in their own table and added with <see cref="AddClosure"/>),
    /// so saving an outlet never drops the closures already recorded for it.
    /// </summary>
    public void SaveOutlet(ServiceOutlet outlet)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO outlets (code, name, address, district, services, hours)
            VALUES ($code, $name, $address, $district, $services, $hours)
            ON CONFLICT (code) DO UPDATE SET
                name = excluded.name, address = excluded.address, district = excluded.district,
                services = excluded.services, hours = excluded.hours
            """;
        command.Parameters.AddWithValue("$code", outlet.Code);
        command.Parameters.AddWithValue("$name", outlet.Name);
        command.Parameters.AddWithValue("$address", outlet.Address);
        command.Parameters.AddWithValue("$district", outlet.District);
        command.Parameters.AddWithValue("$services", string.Join(',', outlet.Services));
        command.Parameters.AddWithValue("$hours", string.Join(',', outlet.Hours.Select(h => h.ToString())));
        command.ExecuteNonQuery();
    }

    public ServiceOutlet? FindOutlet(string code)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT code, name, address, district, services, hours FROM outlets WHERE code = $code";
        command.Parameters.AddWithValue("$code", code);
        ServiceOutlet outlet;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read()) return null;
            outlet = ReadOutlet(reader);
        }
        var closures = ReadClosures(connection, code);
        return outlet with { Closures = closures.TryGetValue(code, out var list) ? list : [] };
    }

    public IReadOnlyList<ServiceOutlet> ListOutlets()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT code, name, address, district, services, hours FROM outlets ORDER BY code";
        var outlets = new List<ServiceOutlet>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                outlets.Add(ReadOutlet(reader));
        var closures = ReadClosures(connection, null);
        return [.. outlets.Select(o => o with { Closures = closures.TryGetValue(o.Code, out var list) ? list : [] })];
    }

    public void AddClosure(string outletCode, OutletClosure closure)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO outlet_closures (outlet_code, date, reason) VALUES ($code, $date, $reason)";
        command.Parameters.AddWithValue("$code", outletCode);
        command.Parameters.AddWithValue("$date", closure.Date.ToString(DateFormat, CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$reason", closure.Reason);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == ForeignKeyFailed)
        {
            throw ECertException.NotFound($"no outlet {outletCode}");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"outlet {outletCode} already has a closure on {closure.Date.ToString(DateFormat, CultureInfo.InvariantCulture)}");
        }
    }

    public void SaveOfficer(RaOfficer officer)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO officers (id, name, is_supervisor, outlets, active)
            VALUES ($id, $name, $supervisor, $outlets, $active)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, is_supervisor = excluded.is_supervisor, outlets = excluded.outlets, active = excluded.active
            """;
        command.Parameters.AddWithValue("$id", officer.Id);
        command.Parameters.AddWithValue("$name", officer.Name);
        command.Parameters.AddWithValue("$supervisor", officer.IsSupervisor ? 1 : 0);
        command.Parameters.AddWithValue("$outlets", string.Join(',', officer.Outlets));
        command.Parameters.AddWithValue("$active", officer.Active ? 1 : 0);
        command.ExecuteNonQuery();
    }

    public RaOfficer? FindOfficer(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, is_supervisor, outlets, active FROM officers WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadOfficer(reader) : null;
    }

    public IReadOnlyList<RaOfficer> ListOfficers()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, is_supervisor, outlets, active FROM officers ORDER BY id";
        using var reader = command.ExecuteReader();
        var officers = new List<RaOfficer>();
        while (reader.Read()) officers.Add(ReadOfficer(reader));
        return officers;
    }

    private const int ForeignKeyFailed = 787; // SQLITE_CONSTRAINT_FOREIGNKEY

    /// <summary>The closures of one outlet (or of all when <paramref name="code"/> is null), by outlet, in date order.</summary>
    private static Dictionary<string, List<OutletClosure>> ReadClosures(SqliteConnection connection, string? code)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT outlet_code, date, reason FROM outlet_closures
            WHERE $code IS NULL OR outlet_code = $code
            ORDER BY outlet_code, date
            """;
        command.Parameters.AddWithValue("$code", (object?)code ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var closures = new Dictionary<string, List<OutletClosure>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var outlet = reader.GetString(0);
            if (!closures.TryGetValue(outlet, out var list)) closures[outlet] = list = [];
            list.Add(new OutletClosure(DateOnly.ParseExact(reader.GetString(1), DateFormat, CultureInfo.InvariantCulture), reader.GetString(2)));
        }
        return closures;
    }

    private static ServiceOutlet ReadOutlet(SqliteDataReader reader) => new()
    {
        Code = reader.GetString(0),
        Name = reader.GetString(1),
        Address = reader.GetString(2),
        District = reader.GetString(3),
        Services = SplitList(reader.GetString(4)),
        Hours = [.. SplitList(reader.GetString(5)).Select(OpeningPeriod.Parse)],
    };

    private static RaOfficer ReadOfficer(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, SplitList(reader.GetString(3)), reader.GetInt64(4) != 0);

    private static List<string> SplitList(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
