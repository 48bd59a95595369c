namespace ECert.Core.Billing;

/// <summary>Whether a fee is for a first subscription or a renewal.</summary>
public enum FeeKind { First, Renewal }

/// <summary>
/// One priced product of a tariff version. Products are the profiles, plus <c>server-wildcard</c>.
/// A promotion or a free period is an entry with its own price and a label saying so, in the
/// version that is in force over the promotion's dates.
/// </summary>
public sealed record TariffEntry(string Product, FeeKind Kind, int TermYears, Money Fee, string? Label = null);

/// <summary>
/// A tariff version: prices in force from <see cref="EffectiveFrom"/> (inclusive) until
/// <see cref="EffectiveUntil"/> (exclusive; open-ended when null). Versions never overlap, so on
/// any date at most one is in force.
/// </summary>
public sealed record TariffVersion(
    string Code,
    DateOnly EffectiveFrom,
    DateOnly? EffectiveUntil,
    IReadOnlyList<TariffEntry> Entries,
    Money ExtraServerFee,
    Money UsbMediumFee,
    string? Description = null)
{
    public bool IsInForceOn(DateOnly date) => EffectiveFrom <= date && (EffectiveUntil is null || date < EffectiveUntil);

    public bool Overlaps(TariffVersion other) =>
        EffectiveFrom < (other.EffectiveUntil ?? DateOnly.MaxValue) && other.EffectiveFrom < (EffectiveUntil ?? DateOnly.MaxValue);

    public string Period => $"{EffectiveFrom:yyyy-MM-dd} to {(EffectiveUntil is { } until ? until.ToString("yyyy-MM-dd") : "open")}";
}

/// <summary>What is to be priced.</summary>
public sealed record QuoteRequest(string Product, FeeKind Kind, int TermYears, DateOnly On, int ExtraServers = 0, bool UsbMedium = false);

public sealed record QuoteLine(string Description, Money Amount);

/// <summary>The fee of a request under the tariff version in force on its date, line by line.</summary>
public sealed record Quote(string TariffCode, QuoteRequest Request, IReadOnlyList<QuoteLine> Lines)
{
    public Money Total => Lines.Aggregate(Money.Zero, (sum, line) => sum + line.Amount);
}

/// <summary>The versioned tariff tables: validation of new versions, and quotes.</summary>
public sealed class TariffBook(IEnumerable<TariffVersion> versions)
{
    public static readonly IReadOnlyList<string> Products =
        ["personal", "personal-smartid", "organisational", "encipherment", "server", "server-wildcard"];

    private readonly List<TariffVersion> _versions = [.. versions.OrderBy(v => v.EffectiveFrom)];

    public IReadOnlyList<TariffVersion> Versions => _versions;

    public TariffVersion? InForceOn(DateOnly date) => _versions.FirstOrDefault(v => v.IsInForceOn(date));

    /// <summary>Refuses a version that is inconsistent in itself or overlaps one already in the book.</summary>
    public void CheckCanAdd(TariffVersion version)
    {
        if (string.IsNullOrWhiteSpace(version.Code) || version.Code.Length > 40)
            throw ECertException.Invalid("a tariff version needs a code of 1 to 40 characters");
        if (_versions.Any(v => v.Code == version.Code))
            throw ECertException.Conflict($"tariff version '{version.Code}' already exists; versions are never edited, add a new one");
        if (version.EffectiveUntil is { } until && until <= version.EffectiveFrom)
            throw ECertException.Invalid($"tariff '{version.Code}' ends ({until:yyyy-MM-dd}) before it starts ({version.EffectiveFrom:yyyy-MM-dd})");
        if (version.Entries.Count == 0)
            throw ECertException.Invalid($"tariff '{version.Code}' has no prices");
        foreach (var entry in version.Entries)
        {
            if (!Products.Contains(entry.Product))
                throw ECertException.Invalid($"tariff '{version.Code}': unknown product '{entry.Product}'; use one of {string.Join(", ", Products)}");
            if (entry.TermYears is < 1 or > 3)
                throw ECertException.Invalid($"tariff '{version.Code}': a term of {entry.TermYears} years for {entry.Product}; terms are 1 to 3 years");
            if (entry.Fee < Money.Zero)
                throw ECertException.Invalid($"tariff '{version.Code}': a negative fee for {entry.Product}");
        }
        var duplicate = version.Entries.GroupBy(e => (e.Product, e.Kind, e.TermYears)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw ECertException.Invalid($"tariff '{version.Code}' prices {duplicate.Key.Product} {duplicate.Key.Kind} {duplicate.Key.TermYears}y twice");
        if (version.ExtraServerFee < Money.Zero || version.UsbMediumFee < Money.Zero)
            throw ECertException.Invalid($"tariff '{version.Code}': surcharges must not be negative");
        var overlap = _versions.FirstOrDefault(v => v.Overlaps(version));
        if (overlap is not null)
            throw ECertException.Conflict(
                $"tariff '{version.Code}' ({version.Period}) overlaps '{overlap.Code}' ({overlap.Period}); end the earlier version first");
    }

    /// <summary>
    /// Checks that an open-ended version may end on <paramref name="until"/>: only in the future,
    /// so no fee already charged changes, and after the version started.
    /// </summary>
    public TariffVersion CheckCanEnd(string code, DateOnly until, DateOnly today)
    {
        var version = _versions.FirstOrDefault(v => v.Code == code) ?? throw ECertException.NotFound($"no tariff version '{code}'");
        if (version.EffectiveUntil is not null)
            throw ECertException.Conflict($"tariff '{code}' already ends on {version.EffectiveUntil:yyyy-MM-dd}; versions are never edited");
        if (until <= today)
            throw ECertException.Invalid($"a tariff can only be ended in the future (after {today:yyyy-MM-dd}): fees already charged do not change");
        if (until <= version.EffectiveFrom)
            throw ECertException.Invalid($"tariff '{code}' starts on {version.EffectiveFrom:yyyy-MM-dd}; it cannot end before that");
        return version with { EffectiveUntil = until };
    }

    public Quote Quote(QuoteRequest request)
    {
        if (!Products.Contains(request.Product))
            throw ECertException.Invalid($"unknown product '{request.Product}'; use one of {string.Join(", ", Products)}");
        if (request.ExtraServers < 0)
            throw ECertException.Invalid("the number of extra servers cannot be negative");
        if (request.ExtraServers > 0 && !request.Product.StartsWith("server", StringComparison.Ordinal))
            throw ECertException.Invalid("extra servers apply only to server certificates");
        var version = InForceOn(request.On)
            ?? throw ECertException.NotFound($"no tariff is in force on {request.On:yyyy-MM-dd}");
        var entry = version.Entries.FirstOrDefault(e => e.Product == request.Product && e.Kind == request.Kind && e.TermYears == request.TermYears)
            ?? throw ECertException.NotFound(
                $"tariff '{version.Code}' has no {request.Kind.ToString().ToLowerInvariant()} fee for {request.Product} over {request.TermYears} year(s)");
        var kind = request.Kind == FeeKind.First ? "first subscription" : "renewal";
        var lines = new List<QuoteLine>
        {
            new($"{request.Product}, {kind}, {request.TermYears} year(s){(entry.Label is null ? "" : $" ({entry.Label})")}", entry.Fee),
        };
        if (request.ExtraServers > 0)
            lines.Add(new QuoteLine($"{request.ExtraServers} extra server(s) at {version.ExtraServerFee.Display}", version.ExtraServerFee * request.ExtraServers));
        if (request.UsbMedium)
            lines.Add(new QuoteLine("PKCS#12 on USB medium", version.UsbMediumFee));
        return new Quote(version.Code, request, lines);
    }
}
