using System.Globalization;

namespace ECert.Core.Service;

/// <summary>One opening period of a weekday, in the outlet's local time.</summary>
public sealed record OpeningPeriod(DayOfWeek Day, TimeOnly Opens, TimeOnly Closes)
{
    public override string ToString() => $"{Day.ToString()[..3]} {Opens:HH\\:mm}-{Closes:HH\\:mm}";

    /// <summary>Parses <c>Mon 09:00-17:00</c>.</summary>
    public static OpeningPeriod Parse(string text)
    {
        var parts = (text ?? "").Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var times = parts.Length == 2 ? parts[1].Split('-') : [];
        DayOfWeek? day = parts.Length > 0 && Days.Any(d => Matches(d, parts[0])) ? Days.First(d => Matches(d, parts[0])) : null;
        if (parts.Length != 2 || times.Length != 2 || day is null
            || !TimeOnly.TryParseExact(times[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var opens)
            || !TimeOnly.TryParseExact(times[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var closes))
            throw ECertException.Invalid($"opening hours '{text}' are not in the form 'Mon 09:00-17:00'");
        if (closes <= opens)
            throw ECertException.Invalid($"opening hours '{text}' close before they open");
        return new OpeningPeriod(day.Value, opens, closes);
    }

    private static bool Matches(DayOfWeek day, string text) => day.ToString()[..3].Equals(text, StringComparison.OrdinalIgnoreCase);

    private static readonly DayOfWeek[] Days = Enum.GetValues<DayOfWeek>();
}

/// <summary>A dated closure, such as a public holiday or a typhoon day.</summary>
public sealed record OutletClosure(DateOnly Date, string Reason)
{
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Reason)) throw ECertException.Invalid("a closure needs a reason");
        VisibleText.CheckLine(Reason, "a closure's reason", 200);
    }
}

/// <summary>
/// A service outlet (a post office counter): where applicants are seen and identities checked.
/// Its weekly hours and dated closures decide when counter work may be done there.
/// </summary>
public sealed record ServiceOutlet
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Address { get; init; }
    public required string District { get; init; }
    public IReadOnlyList<string> Services { get; init; } = [];
    public IReadOnlyList<OpeningPeriod> Hours { get; init; } = [];
    public IReadOnlyList<OutletClosure> Closures { get; init; } = [];

    /// <summary>The services an outlet may offer.</summary>
    public static readonly IReadOnlyList<string> KnownServices =
        ["personal", "organisational", "server", "renewal", "revocation", "payment", "card-collection"];

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Code) || Code.Length > 20 || !Code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ECertException.Invalid($"outlet code '{Code}' must be 1 to 20 letters, digits or hyphens");
        if (string.IsNullOrWhiteSpace(Name)) throw ECertException.Invalid("an outlet needs a name");
        if (string.IsNullOrWhiteSpace(Address)) throw ECertException.Invalid("an outlet needs an address");
        if (string.IsNullOrWhiteSpace(District)) throw ECertException.Invalid("an outlet needs a district");
        VisibleText.CheckLine(Name, "an outlet's name", 100);
        VisibleText.CheckLine(Address, "an outlet's address", 300);
        VisibleText.CheckLine(District, "an outlet's district", 60);
        foreach (var closure in Closures) closure.Validate();
        foreach (var service in Services)
            if (!KnownServices.Contains(service))
                throw ECertException.Invalid($"unknown outlet service '{service}'; use {string.Join(", ", KnownServices)}");
        foreach (var day in Hours.GroupBy(h => h.Day))
        {
            var periods = day.OrderBy(p => p.Opens).ToList();
            for (var i = 1; i < periods.Count; i++)
                if (periods[i].Opens < periods[i - 1].Closes)
                    throw ECertException.Invalid($"opening hours {periods[i - 1]} and {periods[i]} overlap");
        }
    }

    public bool IsClosedOn(DateOnly date, out string? reason)
    {
        reason = Closures.FirstOrDefault(c => c.Date == date)?.Reason;
        return reason is not null;
    }

    /// <summary>Whether the counter is open at a local wall-clock time.</summary>
    public bool IsOpenAt(DateTime local) =>
        !IsClosedOn(DateOnly.FromDateTime(local), out _)
        && Hours.Any(h => h.Day == local.DayOfWeek && TimeOnly.FromDateTime(local) >= h.Opens && TimeOnly.FromDateTime(local) < h.Closes);

    public string HoursText => Hours.Count == 0 ? "no published hours" : string.Join(", ", Hours.OrderBy(h => ((int)h.Day + 6) % 7).ThenBy(h => h.Opens));
}
