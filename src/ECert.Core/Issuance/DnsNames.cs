using System.Text.RegularExpressions;

namespace ECert.Core.Issuance;

/// <summary>
/// Rules for DNS names in TLS certificates (Baseline Requirements 7.1.4.2.1 and RFC 5280 4.2.1.6):
/// fully qualified, letters, digits and hyphens (A-labels for internationalised names), no
/// internal or reserved names, a wildcard only as the whole left-most label.
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
                if (labels.Length < 3) Bad("is a wildcard directly below a top-level domain");
                continue;
            }
            if (!Label().IsMatch(labels[i])) Bad($"has an invalid label '{labels[i]}' (letters, digits and inner hyphens, at most 63)");
        }
        if (labels[^1].All(char.IsAsciiDigit)) Bad("ends in a numeric top-level domain");
        foreach (var suffix in ReservedSuffixes)
            if (lower == suffix || lower.EndsWith("." + suffix, StringComparison.Ordinal))
                Bad($"is an internal or reserved name (.{suffix}) that a public CA may not certify");
        return lower;
    }
}
