using ECert.Core.Crl;
using ECert.Core.Settings;

namespace ECert.Core.Tests;

public class CrlScheduleTests
{
    private static readonly TimeSpan HongKong = TimeSpan.FromHours(8);
    private readonly CrlSchedule _schedule = new(new CrlScheduleSettings());

    [Theory]
    [InlineData("2026-11-28T08:00:00", "2026-11-28T09:15:00")]
    [InlineData("2026-11-28T09:15:00", "2026-11-28T14:15:00")]
    [InlineData("2026-11-28T14:20:00", "2026-11-28T19:00:00")]
    [InlineData("2026-11-28T19:30:00", "2026-11-29T09:15:00")]
    [InlineData("2026-12-31T23:59:00", "2027-01-01T09:15:00")]
    public void NextRunIsTheNextHongKongScheduleTime(string nowLocal, string expectedLocal)
    {
        var now = new DateTimeOffset(DateTime.Parse(nowLocal), HongKong);
        var expected = new DateTimeOffset(DateTime.Parse(expectedLocal), HongKong);
        Assert.Equal(expected, _schedule.NextRun(now));
    }

    [Fact]
    public void NextUpdateAddsTheGracePeriod()
    {
        var now = new DateTimeOffset(2026, 11, 28, 10, 0, 0, HongKong);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 16, 15, 0, HongKong), _schedule.NextUpdate(now));
    }

    [Fact]
    public void ABadTimeOfDayIsRefused()
    {
        var error = Assert.Throws<ECertException>(() => new CrlSchedule(new CrlScheduleSettings { TimesOfDay = ["25:00"] }));
        Assert.Contains("25:00", error.Message);
    }
}
