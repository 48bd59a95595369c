using System.Text.RegularExpressions;

namespace ECert.Core.Issuance;

/// <summary>
/// Rules for DNS names in TLS certificates (Baseline Requirements 7.1.4.2.1 and RFC 5280 4.2.1.6):
/// fully qualified under a top-level domain that exists (no Internal Names), letters, digits and
/// hyphens (valid A-labels for internationalised names), no reserved names, a wildcard only as the
/// whole left-most label and never directly below a public suffix (BR 3.2.2.6).
/// </summary>
public static partial class DnsNames
{
    private static readonly string[] ReservedSuffixes = ["localhost", "localdomain", "local", "internal", "invalid", "test", "example", "lan", "home.arpa", "corp", "onion"];

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>Returns the name in lower case, or throws with the rule it breaks.</summary>
    public static string Check(string name, bool allowWildcard)
    {
        var lower = (name ?? "").Trim().TrimEnd('.').ToLowerInvariant();
        string Bad(string why) => throw ECertException.Policy($"DNS name '{name}' {why}");
        if (lower.Length == 0) Bad("is empty");
        if (lower.Length > 253) Bad("is longer than 253 characters");
        if (lower.Any(c => c > 0x7F)) Bad("contains non-ASCII characters; use the A-label (xn--) form");
        var labels = lower.Split('.');
        if (labels.Length < 2) Bad("is not a fully qualified domain name");
        if (System.Net.IPAddress.TryParse(lower, out _)) Bad("is an IP address, not a DNS name");
        for (var i = 0; i < labels.Length; i++)
        {
            if (i == 0 && labels[0] == "*")
            {
                if (!allowWildcard) Bad("is a wildcard, which this profile does not allow");
                continue;
            }
            if (!Label().IsMatch(labels[i])) Bad($"has an invalid label '{labels[i]}' (letters, digits and inner hyphens, at most 63)");
            if (labels[i].StartsWith("xn--", StringComparison.Ordinal) && !IsValidALabel(labels[i]))
                Bad($"has a label '{labels[i]}' that is not a valid internationalised (xn--) label");
            else if (labels[i].Length >= 4 && labels[i][2..4] == "--" && !labels[i].StartsWith("xn--", StringComparison.Ordinal))
                Bad($"has a label '{labels[i]}' with hyphens in the third and fourth places, reserved for encodings");
        }
        if (labels[^1].All(char.IsAsciiDigit)) Bad("ends in a numeric top-level domain");
        foreach (var suffix in ReservedSuffixes)
            if (lower == suffix || lower.EndsWith("." + suffix, StringComparison.Ordinal))
                Bad($"is an internal or reserved name (.{suffix}) that a public CA may not certify");
        if (!PublicSuffixes.IsTopLevelDomain(labels[^1]))
            Bad($"is an Internal Name: .{labels[^1]} is not a top-level domain in the public DNS (Baseline Requirements 7.1.2.7.12)");
        var registered = labels[0] == "*" ? lower[2..] : lower;
        if (PublicSuffixes.IsPublicSuffix(registered))
            Bad(labels[0] == "*"
                ? $"is a wildcard directly below the public suffix '{registered}' (Baseline Requirements 3.2.2.6)"
                : "is a public suffix, not a domain anyone can hold");
        return lower;
    }

    private static bool IsValidALabel(string label)
    {
        try
        {
            var unicode = new System.Globalization.IdnMapping().GetUnicode(label);
            return !unicode.Equals(label, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
