using ECert.Core;
using ECert.Core.Billing;

namespace ECert.Core.Tests;

public class TariffTests
{
    private readonly TariffBook _book = new(DefaultTariffs.All);

    private Money Fee(string product, FeeKind kind, int years, string date, int extraServers = 0, bool usb = false) =>
        _book.Quote(new QuoteRequest(product, kind, years, DateOnly.Parse(date), extraServers, usb)).Total;

    [Theory]
    [InlineData("personal", FeeKind.First, 1, "2020-01-01", 5000)]
    [InlineData("personal", FeeKind.First, 1, "2023-06-30", 5000)]
    [InlineData("personal", FeeKind.First, 1, "2023-07-01", 4800)]  // promotional price from July 2023
    [InlineData("personal", FeeKind.Renewal, 1, "2026-11-28", 4800)]
    [InlineData("personal-smartid", FeeKind.First, 3, "2005-05-05", 0)] // free for 3 years when issued by March 2007
    [InlineData("personal-smartid", FeeKind.First, 1, "2010-01-01", 0)] // free first year afterwards
    [InlineData("personal-smartid", FeeKind.Renewal, 1, "2010-01-01", 5000)]
    [InlineData("organisational", FeeKind.First, 1, "2026-11-28", 5000)]
    [InlineData("organisational", FeeKind.Renewal, 1, "2026-11-28", 15000)]
    [InlineData("organisational", FeeKind.First, 2, "2026-11-28", 20000)]
    [InlineData("organisational", FeeKind.Renewal, 2, "2026-11-28", 30000)]
    [InlineData("encipherment", FeeKind.First, 1, "2026-11-28", 2400)]
    [InlineData("server", FeeKind.First, 1, "2026-11-28", 250000)]
    [InlineData("server-wildcard", FeeKind.Renewal, 1, "2026-11-28", 870000)]
    public void FeesFollowTheTariffInForceOnTheDate(string product, FeeKind kind, int years, string date, long cents) =>
        Assert.Equal(new Money(cents), Fee(product, kind, years, date));

    [Fact]
    public void SurchargesAddLines()
    {
        var quote = _book.Quote(new QuoteRequest("server-wildcard", FeeKind.First, 1, new DateOnly(2026, 11, 28), ExtraServers: 2));
        Assert.Equal(Money.FromDollars(8_700 + 2 * 500), quote.Total);
        Assert.Equal(2, quote.Lines.Count);
        Assert.Equal(Money.FromDollars(48 + 40), Fee("personal", FeeKind.First, 1, "2026-11-28", usb: true));
        Assert.Equal("HK-2023-07", quote.TariffCode);
    }

    [Fact]
    public void TheLabelTellsAPromotionOrFreePeriod()
    {
        var quote = _book.Quote(new QuoteRequest("personal-smartid", FeeKind.First, 3, new DateOnly(2006, 1, 1)));
        Assert.Contains("free for 3 years", quote.Lines[0].Description);
    }

    [Fact]
    public void AFeeThatIsNotPricedIsAClearError()
    {
        Assert.Contains("no renewal fee for encipherment over 2 year(s)",
            Assert.Throws<ECertException>(() => Fee("encipherment", FeeKind.Renewal, 2, "2026-11-28")).Message);
        Assert.Contains("no tariff is in force on 2001-01-01",
            Assert.Throws<ECertException>(() => Fee("personal", FeeKind.First, 1, "2001-01-01")).Message);
        Assert.Contains("extra servers apply only",
            Assert.Throws<ECertException>(() => Fee("personal", FeeKind.First, 1, "2026-11-28", extraServers: 1)).Message);
    }

    [Fact]
    public void OverlappingVersionsAreRefused()
    {
        var overlapping = new TariffVersion("HK-2026", new DateOnly(2026, 1, 1), null,
            [new TariffEntry("personal", FeeKind.First, 1, Money.FromDollars(60))], Money.Zero, Money.Zero);
        var error = Assert.Throws<ECertException>(() => _book.CheckCanAdd(overlapping));
        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Contains("overlaps 'HK-2023-07'", error.Message);

        var closedBook = new TariffBook(DefaultTariffs.All.Take(2));
        closedBook.CheckCanAdd(overlapping with { Code = "HK-2026-ok", EffectiveFrom = new DateOnly(2023, 7, 1) });
    }

    [Fact]
    public void AnOpenVersionIsEndedOnlyInTheFutureAndOnlyOnce()
    {
        var today = new DateOnly(2026, 11, 28);
        Assert.Contains("in the future", Assert.Throws<ECertException>(() => _book.CheckCanEnd("HK-2023-07", today, today)).Message);
        Assert.Contains("already ends", Assert.Throws<ECertException>(() => _book.CheckCanEnd("HK-2007", new DateOnly(2030, 1, 1), today)).Message);
        var ended = _book.CheckCanEnd("HK-2023-07", new DateOnly(2027, 1, 1), today);
        var book = new TariffBook([.. DefaultTariffs.All.Take(2), ended]);
        book.CheckCanAdd(new TariffVersion("HK-2027", new DateOnly(2027, 1, 1), null,
            [new TariffEntry("personal", FeeKind.First, 1, Money.FromDollars(50))], Money.Zero, Money.Zero));
    }

    [Fact]
    public void InconsistentVersionsAreRefused()
    {
        var book = new TariffBook([]);
        TariffVersion V(params TariffEntry[] entries) => new("X", new DateOnly(2030, 1, 1), null, entries, Money.Zero, Money.Zero);
        Assert.Contains("no prices", Assert.Throws<ECertException>(() => book.CheckCanAdd(V())).Message);
        Assert.Contains("unknown product", Assert.Throws<ECertException>(() => book.CheckCanAdd(V(new TariffEntry("gold", FeeKind.First, 1, Money.Zero)))).Message);
        Assert.Contains("twice", Assert.Throws<ECertException>(() => book.CheckCanAdd(V(
            new TariffEntry("personal", FeeKind.First, 1, Money.Zero), new TariffEntry("personal", FeeKind.First, 1, Money.FromDollars(1))))).Message);
        Assert.Contains("ends", Assert.Throws<ECertException>(() => book.CheckCanAdd(
            V(new TariffEntry("personal", FeeKind.First, 1, Money.Zero)) with { EffectiveUntil = new DateOnly(2029, 1, 1) })).Message);
    }

    [Theory]
    [InlineData("50", 5000)]
    [InlineData("50.5", 5050)]
    [InlineData("HK$8,700.00", 870000)]
    [InlineData("0.01", 1)]
    public void AmountsParseExactly(string text, long cents) => Assert.Equal(new Money(cents), Money.Parse(text));

    [Theory]
    [InlineData("-50", "negative")]
    [InlineData("50.005", "fractions of a cent")]
    [InlineData("fifty", "not an amount")]
    [InlineData("1e3", "not an amount")]
    [InlineData("48,50", "not a thousands separator")]
    [InlineData("4,8", "not a thousands separator")]
    [InlineData("\u0664\u0668", "not an amount")] // Arabic-Indic "48": a digit to .NET's \d, not to long.Parse
    [InlineData("\uFF11\uFF12.50", "not an amount")] // fullwidth "12.50"
    [InlineData("\u0664,\u0668\u0668\u0668", "not a thousands separator")]
    public void BadAmountsAreRefused(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ECertException>(() => Money.Parse(text)).Message);

    [Fact]
    public void MoneyPrintsAsDollarsAndCents()
    {
        Assert.Equal("48.00", Money.FromDollars(48).ToString());
        Assert.Equal("HK$0.05", new Money(5).Display);
        Assert.Equal("-12.50", (Money.Zero - new Money(1250)).ToString());
    }
}
