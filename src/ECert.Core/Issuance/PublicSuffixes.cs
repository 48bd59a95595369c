using System.Globalization;

namespace ECert.Core.Issuance;

/// <summary>
/// The ICANN section of the Public Suffix List (see Data/README.md): which top-level domains exist,
/// and which names are public suffixes (com, com.hk, *.ck but not www.ck), under the list's own
/// matching rules. Rules are held in their A-label (xn--) form.
/// </summary>
public static class PublicSuffixes
{
    private static readonly Lazy<(HashSet<string> Exact, HashSet<string> Wildcards, HashSet<string> Exceptions, HashSet<string> TopLevel)> Rules = new(Load);

    public static bool IsTopLevelDomain(string label) => Rules.Value.TopLevel.Contains(label);

    /// <summary>True when <paramref name="name"/> (lower case, A-labels) is itself a public suffix.</summary>
    public static bool IsPublicSuffix(string name)
    {
        var rules = Rules.Value;
        if (rules.Exceptions.Contains(name)) return false;
        if (rules.Exact.Contains(name)) return true;
        var dot = name.IndexOf('.');
        return dot > 0 && rules.Wildcards.Contains(name[(dot + 1)..]);
    }

    private static (HashSet<string>, HashSet<string>, HashSet<string>, HashSet<string>) Load()
    {
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var wildcards = new HashSet<string>(StringComparer.Ordinal);
        var exceptions = new HashSet<string>(StringComparer.Ordinal);
        var idn = new IdnMapping();
        using var stream = typeof(PublicSuffixes).Assembly.GetManifestResourceStream("public-suffixes-icann.txt")
            ?? throw new InvalidOperationException("the public suffix list is missing from the assembly");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var rule = line.Trim();
            if (rule.Length == 0) continue;
            var set = rule[0] == '!' ? exceptions : rule.StartsWith("*.", StringComparison.Ordinal) ? wildcards : exact;
            var name = rule.TrimStart('!').Replace("*.", "", StringComparison.Ordinal);
            set.Add(idn.GetAscii(name).ToLowerInvariant());
        }
        var topLevel = new HashSet<string>(exact.Concat(wildcards).Select(r => r[(r.LastIndexOf('.') + 1)..]), StringComparer.Ordinal);
        return (exact, wildcards, exceptions, topLevel);
    }
}
