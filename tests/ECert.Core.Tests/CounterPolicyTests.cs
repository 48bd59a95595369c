using ECert.Core;
using ECert.Core.Service;

namespace ECert.Core.Tests;

public class CounterPolicyTests
{
    private static readonly TimeSpan Hk = TimeSpan.FromHours(8);

    private static readonly ServiceOutlet Gpo = new()
    {
        Code = "GPO", Name = "General Post Office", Address = "2 Connaught Place, Central", District = "Central and Western",
        Services = ["personal", "organisational", "payment"],
        Hours = [.. "Mon Tue Wed Thu Fri".Split(' ').Select(d => OpeningPeriod.Parse($"{d} 08:00-18:00")), OpeningPeriod.Parse("Sat 08:00-14:00")],
        Closures = [new OutletClosure(new DateOnly(2026, 12, 25), "Christmas Day")],
    };

    private static readonly RaOfficer Officer = new("ra-001", "CHEUNG Ka Yan", false, ["GPO"]);
    private static readonly RaOfficer Supervisor = new("ra-100", "HO Wing Sze", true, ["GPO"]);
    private readonly CounterPolicy _policy = CounterPolicy.HongKong();

    [Fact]
    public void WorkDuringServiceHoursIsAllowedAndRecorded()
    {
        var at = new DateTimeOffset(2026, 11, 27, 10, 30, 0, Hk); // a Friday
        var context = _policy.Authorise(Officer, Gpo, "personal", at);
        Assert.Equal(("ra-001", "GPO", at, (string?)null), (context.OfficerId, context.OutletCode, context.At, context.OverriddenBy));
    }

    [Theory]
    [InlineData("2026-11-28T15:00:00", "closed at Sat 2026-11-28 15:00")]
    [InlineData("2026-11-29T10:00:00", "closed at Sun 2026-11-29 10:00")]
    [InlineData("2026-12-25T10:00:00", "closed on 2026-12-25 (Christmas Day)")]
    [InlineData("2026-11-27T18:00:00", "closed at Fri 2026-11-27 18:00")]
    public void WorkOutsideHoursIsRefusedWithTheHours(string local, string expected)
    {
        var at = new DateTimeOffset(DateTime.Parse(local), Hk);
        var error = Assert.Throws<ECertException>(() => _policy.Authorise(Officer, Gpo, "personal", at));
        Assert.Contains(expected, error.Message);
        Assert.Contains("supervisor's override", error.Message);
    }

    [Fact]
    public void ASupervisorMayOverrideAndTheOverrideIsRecorded()
    {
        var at = new DateTimeOffset(2026, 11, 28, 15, 0, 0, Hk);
        Assert.Equal("ra-100", _policy.Authorise(Officer, Gpo, "personal", at, Supervisor).OverriddenBy);
        Assert.Contains("not an active RA supervisor", Assert.Throws<ECertException>(() => _policy.Authorise(Officer, Gpo, "personal", at, Officer with { Id = "ra-002" })).Message);
        Assert.Contains("their own", Assert.Throws<ECertException>(() => _policy.Authorise(Supervisor, Gpo, "personal", at, Supervisor)).Message);
        Assert.Contains("not assigned to outlet GPO", Assert.Throws<ECertException>(() =>
            _policy.Authorise(Officer, Gpo, "personal", at, Supervisor with { Id = "ra-200", Outlets = ["TP"] })).Message);
    }

    [Fact]
    public void OfficersWorkOnlyAtTheirOutletsAndOnlyForOfferedServices()
    {
        var at = new DateTimeOffset(2026, 11, 27, 10, 30, 0, Hk);
        Assert.Contains("not assigned", Assert.Throws<ECertException>(() => _policy.Authorise(Officer with { Outlets = ["TST"] }, Gpo, "personal", at)).Message);
        Assert.Contains("does not offer server", Assert.Throws<ECertException>(() => _policy.Authorise(Officer, Gpo, "server", at)).Message);
        Assert.Contains("not active", Assert.Throws<ECertException>(() => _policy.Authorise(Officer with { Active = false }, Gpo, "personal", at)).Message);
    }

    [Theory]
    [InlineData("Mon 9:00-17:00")]
    [InlineData("Funday 09:00-17:00")]
    [InlineData("Mon 17:00-09:00")]
    public void MalformedHoursAreRefused(string text) =>
        Assert.Equal(ErrorKind.InvalidInput, Assert.Throws<ECertException>(() => OpeningPeriod.Parse(text)).Kind);

    [Fact]
    public void OverlappingHoursAreRefused()
    {
        var outlet = Gpo with { Hours = [OpeningPeriod.Parse("Mon 09:00-13:00"), OpeningPeriod.Parse("Mon 12:00-17:00")] };
        Assert.Contains("overlap", Assert.Throws<ECertException>(outlet.Validate).Message);
    }
}
