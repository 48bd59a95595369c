using ECert.Core.Settings;

namespace ECert.Core.Crl;

/// <summary>
/// The CRL issuing times, as local times of day in the configured time zone. Pure arithmetic:
/// "now" is always passed in.
/// </summary>
public sealed class CrlSchedule
{
    private readonly TimeOnly[] _times;
    private readonly TimeZoneInfo _zone;
    private readonly TimeSpan _grace;

    public CrlSchedule(CrlScheduleSettings settings)
    {
        settings.Validate();
        _times = settings.TimesOfDay.Select(t => TimeOnly.ParseExact(t, "HH:mm")).Order().ToArray();
        _zone = FindZone(settings.TimeZone);
        _grace = TimeSpan.FromMinutes(settings.NextUpdateGraceMinutes);
    }

    /// <summary>The first scheduled issuing time strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextRun(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        for (var day = 0; day <= 2; day++)
        {
            var date = DateOnly.FromDateTime(local.Date).AddDays(day);
            foreach (var time in _times)
            {
                var wall = date.ToDateTime(time);
                var candidate = new DateTimeOffset(wall, _zone.GetUtcOffset(wall));
                if (candidate > now) return candidate.ToUniversalTime();
            }
        }
        throw new InvalidOperationException("no CRL time found within two days");
    }

    /// <summary>nextUpdate of a CRL issued now: the next scheduled time plus the grace period.</summary>
    public DateTimeOffset NextUpdate(DateTimeOffset now) => NextRun(now) + _grace;

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException) when (id == "Asia/Hong_Kong")
        {
            // Without the tz database: Hong Kong has kept UTC+8 without daylight saving since 1979.
            return TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(8), id, id);
        }
        catch (TimeZoneNotFoundException)
        {
            throw ECertException.Invalid($"CrlSchedule.TimeZone '{id}' is not a time zone known to this machine");
        }
    }
}
