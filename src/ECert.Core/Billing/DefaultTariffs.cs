namespace ECert.Core.Billing;

/// <summary>
/// The published Hongkong Post e-Cert fees (DOMAIN.md), as tariff versions with dates: what a new
/// instance starts with, and what the tests price against. Operators add later versions.
/// </summary>
public static class DefaultTariffs
{
    private static TariffEntry E(string product, FeeKind kind, int years, long dollars, string? label = null) =>
        new(product, kind, years, Money.FromDollars(dollars), label);

    private static readonly TariffEntry[] CommonEntries =
    [
        E("organisational", FeeKind.First, 1, 50), E("organisational", FeeKind.Renewal, 1, 150),
        E("organisational", FeeKind.First, 2, 200), E("organisational", FeeKind.Renewal, 2, 300),
        E("encipherment", FeeKind.First, 1, 24), E("encipherment", FeeKind.Renewal, 1, 24),
        E("server", FeeKind.First, 1, 2_500), E("server", FeeKind.Renewal, 1, 2_500),
        E("server-wildcard", FeeKind.First, 1, 8_700), E("server-wildcard", FeeKind.Renewal, 1, 8_700),
    ];

    public static IReadOnlyList<TariffVersion> All { get; } =
    [
        // Smart ID card e-Certs issued by March 2007: the first subscription is free for 3 years.
        new("HK-2003", new DateOnly(2003, 6, 23), new DateOnly(2007, 4, 1),
            [E("personal", FeeKind.First, 1, 50), E("personal", FeeKind.Renewal, 1, 50),
             E("personal-smartid", FeeKind.First, 3, 0, "free for 3 years when issued by March 2007"),
             E("personal-smartid", FeeKind.Renewal, 1, 50), .. CommonEntries],
            Money.FromDollars(500), Money.FromDollars(40), "smart ID card launch"),
        new("HK-2007", new DateOnly(2007, 4, 1), new DateOnly(2023, 7, 1),
            [E("personal", FeeKind.First, 1, 50), E("personal", FeeKind.Renewal, 1, 50),
             E("personal-smartid", FeeKind.First, 1, 0, "free first year"),
             E("personal-smartid", FeeKind.Renewal, 1, 50), .. CommonEntries],
            Money.FromDollars(500), Money.FromDollars(40)),
        new("HK-2023-07", new DateOnly(2023, 7, 1), null,
            [E("personal", FeeKind.First, 1, 48, "promotional"), E("personal", FeeKind.Renewal, 1, 48, "promotional"),
             E("personal-smartid", FeeKind.First, 1, 0, "free first year"),
             E("personal-smartid", FeeKind.Renewal, 1, 48, "promotional"), .. CommonEntries],
            Money.FromDollars(500), Money.FromDollars(40), "personal promotion HK$48"),
    ];
}
