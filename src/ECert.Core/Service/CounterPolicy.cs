namespace ECert.Core.Service;

/// <summary>An RA officer or supervisor, assigned to outlets.</summary>
public sealed record RaOfficer(string Id, string Name, bool IsSupervisor, IReadOnlyList<string> Outlets, bool Active = true)
{
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > 40 || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw ECertException.Invalid($"officer id '{Id}' must be 1 to 40 letters, digits, '-', '_' or '.'");
        if (string.IsNullOrWhiteSpace(Name)) throw ECertException.Invalid("an officer needs a name");
        VisibleText.CheckLine(Name, "an officer's name", 100);
        if (Outlets.Count == 0) throw ECertException.Invalid("an officer works at one outlet at least");
    }
}

/// <summary>Where and when a piece of counter work happened, as recorded with it.</summary>
public sealed record CounterContext(string OfficerId, string OutletCode, DateTimeOffset At, string? OverriddenBy);

/// <summary>
/// The rules for work at a counter: the officer is active and assigned to the outlet, the outlet
/// offers the service, and it is open; outside its hours only with a supervisor's override, which
/// is recorded with the work.
/// </summary>
public sealed class CounterPolicy(TimeZoneInfo zone)
{
    public static CounterPolicy HongKong() => new(FindHongKong());

    public CounterContext Authorise(RaOfficer officer, ServiceOutlet outlet, string service, DateTimeOffset now, RaOfficer? overrideBy = null)
    {
        if (!officer.Active)
            throw ECertException.Policy($"officer {officer.Id} is not active");
        if (!officer.Outlets.Contains(outlet.Code))
            throw ECertException.Policy($"officer {officer.Id} is not assigned to outlet {outlet.Code}");
        if (outlet.Services.Count > 0 && !outlet.Services.Contains(service))
            throw ECertException.Policy($"outlet {outlet.Code} does not offer {service} services");
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        if (outlet.IsOpenAt(local)) return new CounterContext(officer.Id, outlet.Code, now, null);

        var why = outlet.IsClosedOn(DateOnly.FromDateTime(local), out var reason)
            ? $"closed on {local:yyyy-MM-dd} ({reason})"
            : $"closed at {local:ddd yyyy-MM-dd HH:mm} (hours: {outlet.HoursText})";
        if (overrideBy is null)
            throw ECertException.Policy($"outlet {outlet.Code} is {why}; counter work outside service hours needs a supervisor's override");
        if (!overrideBy.IsSupervisor || !overrideBy.Active)
            throw ECertException.Policy($"{overrideBy.Id} is not an active RA supervisor and cannot override service hours");
        if (!overrideBy.Outlets.Contains(outlet.Code))
            throw ECertException.Policy($"supervisor {overrideBy.Id} is not assigned to outlet {outlet.Code} and cannot override its hours");
        if (overrideBy.Id == officer.Id)
            throw ECertException.Policy("a supervisor cannot override service hours for their own counter work");
        return new CounterContext(officer.Id, outlet.Code, now, overrideBy.Id);
    }

    private static TimeZoneInfo FindHongKong()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Hong_Kong"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.CreateCustomTimeZone("Asia/Hong_Kong", TimeSpan.FromHours(8), "Hong Kong", "HKT"); }
    }
}
