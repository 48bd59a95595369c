using System.Globalization;
using System.Text.RegularExpressions;

namespace ECert.Core.Billing;

/// <summary>
/// An exact amount of Hong Kong dollars, held as integer cents. Never a floating-point number:
/// parsing accepts at most two decimals and refuses negative amounts where a fee or payment is meant.
/// </summary>
public readonly partial record struct Money(long Cents) : IComparable<Money>
{
    public const string Currency = "HKD";
    public static readonly Money Zero = new(0);

    public static Money FromDollars(long dollars) => new(checked(dollars * 100));

    public static Money operator +(Money a, Money b) => new(checked(a.Cents + b.Cents));
    public static Money operator -(Money a, Money b) => new(checked(a.Cents - b.Cents));
    public static Money operator *(Money a, int times) => new(checked(a.Cents * times));
    public static bool operator <(Money a, Money b) => a.Cents < b.Cents;
    public static bool operator >(Money a, Money b) => a.Cents > b.Cents;
    public static bool operator <=(Money a, Money b) => a.Cents <= b.Cents;
    public static bool operator >=(Money a, Money b) => a.Cents >= b.Cents;

    public int CompareTo(Money other) => Cents.CompareTo(other.Cents);

    /// <summary>e.g. "50.00", "-12.50", "8700.00".</summary>
    public override string ToString() =>
        (Cents < 0 ? "-" : "") + (Math.Abs(Cents) / 100).ToString(CultureInfo.InvariantCulture) + "." + (Math.Abs(Cents) % 100).ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>e.g. "HK$50.00".</summary>
    public string Display => (Cents < 0 ? "-HK$" : "HK$") + new Money(Math.Abs(Cents));

    // [0-9], not \d: .NET's \d matches every script's digits ("٤٨", "１２"), which long.Parse refuses.
    [GeneratedRegex(@"^(?:HK\$|HKD\s*)?([0-9]{1,12})(?:\.([0-9]{1,2}))?$")]
    private static partial Regex Amount();

    /// <summary>
    /// Parses a non-negative amount such as <c>50</c>, <c>50.5</c>, <c>50.50</c>, <c>HK$48</c>.
    /// Refuses negative amounts, more than two decimals and anything that is not a number.
    /// </summary>
    public static Money Parse(string? text, string what = "amount")
    {
        var trimmed = (text ?? "").Trim();
        // Commas only as thousands separators (8,700.00); "48,50" is refused, never read as 4850.
        if (trimmed.Contains(',', StringComparison.Ordinal))
        {
            if (!Regex.IsMatch(trimmed, @"^(?:HK\$|HKD\s*)?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?$"))
                throw ECertException.Invalid($"{what} '{text}' has a comma that is not a thousands separator; write amounts like 8700.00 or 8,700.00");
            trimmed = trimmed.Replace(",", "", StringComparison.Ordinal);
        }
        if (trimmed.StartsWith('-'))
            throw ECertException.Invalid($"{what} '{text}' is negative; amounts are never negative (use a refund to give money back)");
        var match = Amount().Match(trimmed);
        if (!match.Success)
        {
            if (Regex.IsMatch(trimmed, @"^[0-9]+\.[0-9]{3,}$"))
                throw ECertException.Invalid($"{what} '{text}' has fractions of a cent; amounts have at most two decimals");
            throw ECertException.Invalid($"{what} '{text}' is not an amount of Hong Kong dollars such as 50 or 50.00");
        }
        var dollars = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var cents = match.Groups[2].Success ? int.Parse(match.Groups[2].Value.PadRight(2, '0'), CultureInfo.InvariantCulture) : 0;
        return new Money(checked(dollars * 100 + cents));
    }
}
