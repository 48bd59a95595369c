namespace ECert.Core.Profiles;

/// <summary>
/// A certificate profile as configuration (bindable from <c>ecert.json</c>). It becomes a
/// <see cref="CertificateProfile"/> only through <see cref="ProfileFactory"/>, which refuses what
/// RFC 5280 or the CA/Browser Forum Baseline Requirements forbid.
/// </summary>
public sealed class ProfileOptions
{
    /// <summary>The slug of the issuing CA that signs this profile's certificates.</summary>
    public string? IssuingCa { get; set; }

    /// <summary>How the subject is built: person, organisational-user, authorised-unit or server.</summary>
    public string? SubjectTemplate { get; set; }

    public int? ValidityDays { get; set; }

    /// <summary>The most the profile may ever allow; for server certificates never above 199.</summary>
    public int? MaxValidityDays { get; set; }

    /// <summary>Key usage names as in RFC 5280: digitalSignature, nonRepudiation, keyEncipherment, ...</summary>
    public List<string>? KeyUsages { get; set; }

    /// <summary>Extended key usages by name (serverAuth, clientAuth, emailProtection) or OID.</summary>
    public List<string>? ExtendedKeyUsages { get; set; }

    /// <summary>Certificate policy OIDs; the first one names the CPS version in force.</summary>
    public List<string>? PolicyOids { get; set; }

    /// <summary>The key algorithm of centrally generated keys (--generate-key).</summary>
    public string? CentralKeyAlgorithm { get; set; }

    /// <summary>The reliance limit stated by the CPS for this type, in whole HK dollars (informational).</summary>
    public long? RelianceLimitHkd { get; set; }

    public int? MaxDnsNames { get; set; }

    public bool? AllowWildcard { get; set; }

    /// <summary>Fills every unset field from <paramref name="defaults"/>.</summary>
    public ProfileOptions WithDefaults(ProfileOptions defaults) => new()
    {
        IssuingCa = IssuingCa ?? defaults.IssuingCa,
        SubjectTemplate = SubjectTemplate ?? defaults.SubjectTemplate,
        ValidityDays = ValidityDays ?? defaults.ValidityDays,
        MaxValidityDays = MaxValidityDays ?? defaults.MaxValidityDays,
        KeyUsages = KeyUsages ?? defaults.KeyUsages,
        ExtendedKeyUsages = ExtendedKeyUsages ?? defaults.ExtendedKeyUsages,
        PolicyOids = PolicyOids ?? defaults.PolicyOids,
        CentralKeyAlgorithm = CentralKeyAlgorithm ?? defaults.CentralKeyAlgorithm,
        RelianceLimitHkd = RelianceLimitHkd ?? defaults.RelianceLimitHkd,
        MaxDnsNames = MaxDnsNames ?? defaults.MaxDnsNames,
        AllowWildcard = AllowWildcard ?? defaults.AllowWildcard,
    };
}
