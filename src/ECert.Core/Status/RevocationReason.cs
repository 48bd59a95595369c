namespace ECert.Core.Status;

/// <summary>CRLReason (RFC 5280 5.3.1); the numbers are the DER ENUMERATED values.</summary>
public enum RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    RemoveFromCrl = 8,
    PrivilegeWithdrawn = 9,
    AaCompromise = 10,
}

public static class RevocationReasons
{
    private static readonly Dictionary<string, RevocationReason> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unspecified"] = RevocationReason.Unspecified,
        ["keyCompromise"] = RevocationReason.KeyCompromise,
        ["cACompromise"] = RevocationReason.CaCompromise,
        ["affiliationChanged"] = RevocationReason.AffiliationChanged,
        ["superseded"] = RevocationReason.Superseded,
        ["cessationOfOperation"] = RevocationReason.CessationOfOperation,
        ["certificateHold"] = RevocationReason.CertificateHold,
        ["removeFromCRL"] = RevocationReason.RemoveFromCrl,
        ["privilegeWithdrawn"] = RevocationReason.PrivilegeWithdrawn,
        ["aACompromise"] = RevocationReason.AaCompromise,
    };

    /// <summary>The reasons a subscriber certificate may be revoked with (Baseline Requirements 7.2.2).</summary>
    public static readonly IReadOnlyList<RevocationReason> ForSubscriberCertificates =
    [
        RevocationReason.Unspecified, RevocationReason.KeyCompromise, RevocationReason.AffiliationChanged,
        RevocationReason.Superseded, RevocationReason.CessationOfOperation, RevocationReason.PrivilegeWithdrawn,
    ];

    /// <summary>The RFC 5280 name, e.g. keyCompromise.</summary>
    public static string Name(this RevocationReason reason) => ByName.First(kv => kv.Value == reason).Key;

    /// <summary>Accepts the RFC name in any case, with or without hyphens (key-compromise), or the number.</summary>
    public static RevocationReason Parse(string text)
    {
        var trimmed = (text ?? "").Trim();
        var key = trimmed.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (ByName.TryGetValue(key, out var reason)) return reason;
        // The number as written, ASCII digits only: "-1" must not become 1 (keyCompromise) once its hyphen is dropped.
        if (trimmed.Length is > 0 and <= 2 && trimmed.All(char.IsAsciiDigit) && Enum.IsDefined(typeof(RevocationReason), int.Parse(trimmed, System.Globalization.CultureInfo.InvariantCulture)))
            return (RevocationReason)int.Parse(trimmed, System.Globalization.CultureInfo.InvariantCulture);
        throw ECertException.Invalid(
            $"unknown revocation reason '{text}'; use one of {string.Join(", ", ForSubscriberCertificates.Select(Name))}");
    }
}
