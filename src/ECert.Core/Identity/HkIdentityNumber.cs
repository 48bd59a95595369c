using System.Text.RegularExpressions;

namespace ECert.Core.Identity;

/// <summary>
/// A Hong Kong identity card number such as <c>A123456(3)</c>: one or two letters, six digits and a
/// check digit (0-9 or A). The clear number lives only in memory for the length of one operation;
/// what we keep is <see cref="Masked"/> for display and a keyed hash (<see cref="IdentityNumberProtector"/>).
/// </summary>
public sealed partial class HkIdentityNumber
{
    private HkIdentityNumber(string prefix, string digits, char checkDigit)
    {
        Prefix = prefix;
        Digits = digits;
        CheckDigit = checkDigit;
    }

    public string Prefix { get; }
    public string Digits { get; }
    public char CheckDigit { get; }

    /// <summary>The canonical form hashed for matching: letters, digits and check digit, no brackets.</summary>
    public string Canonical => Prefix + Digits + CheckDigit;

    /// <summary>The form safe to show: the first three digits hidden, e.g. <c>A123***(3)</c>.</summary>
    public string Masked => $"{Prefix}{Digits[..3]}***({CheckDigit})";

    public override string ToString() => Masked;

    [GeneratedRegex(@"^([A-Z]{1,2})([0-9]{6})\(?([0-9A])\)?$")]
    private static partial Regex Shape();

    /// <summary>Parses and verifies the check digit; the message never repeats the number in clear.</summary>
    public static HkIdentityNumber Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw ECertException.Invalid("identity number is empty; expected a Hong Kong identity card number such as A123456(3)");
        var match = Shape().Match(text.Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal));
        if (!match.Success)
            throw ECertException.Invalid(
                "identity number is not in the form of a Hong Kong identity card number: one or two letters, six digits and a check digit, e.g. A123456(3)");
        var prefix = match.Groups[1].Value;
        var digits = match.Groups[2].Value;
        var check = match.Groups[3].Value[0];
        if (ComputeCheckDigit(prefix, digits) != check)
            throw ECertException.Invalid("identity number check digit does not match: please re-check the number on the identity card");
        return new HkIdentityNumber(prefix, digits, check);
    }

    /// <summary>
    /// The check digit: a single-letter prefix is padded with a space (value 36); letters count
    /// A=10 .. Z=35; the eight characters are weighted 9..2; the digit is 11 - (sum mod 11),
    /// where 11 is written 0 and 10 is written A.
    /// </summary>
    public static char ComputeCheckDigit(string prefix, string digits)
    {
        var padded = (prefix.Length == 1 ? " " + prefix : prefix) + digits;
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = padded[i];
            var value = c == ' ' ? 36 : char.IsLetter(c) ? c - 'A' + 10 : c - '0';
            sum += value * (9 - i);
        }
        var remainder = 11 - sum % 11;
        return remainder switch { 11 => '0', 10 => 'A', _ => (char)('0' + remainder) };
    }
}
