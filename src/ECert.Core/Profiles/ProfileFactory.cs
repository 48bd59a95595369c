using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Keys;

namespace ECert.Core.Profiles;

/// <summary>
/// Turns profile configuration into a validated profile (Boulder's ProfileConfig -> Profile).
/// Each refusal cites the rule it enforces.
/// </summary>
public static class ProfileFactory
{
    /// <summary>Baseline Requirements 6.3.2 as this CA applies it (DOMAIN.md): TLS certificates at most 199 days.</summary>
    public const int ServerMaxValidityDays = 199;

    private static readonly Dictionary<string, X509KeyUsageFlags> KeyUsageNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["digitalSignature"] = X509KeyUsageFlags.DigitalSignature,
        ["nonRepudiation"] = X509KeyUsageFlags.NonRepudiation,
        ["contentCommitment"] = X509KeyUsageFlags.NonRepudiation,
        ["keyEncipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["dataEncipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["keyAgreement"] = X509KeyUsageFlags.KeyAgreement,
        ["keyCertSign"] = X509KeyUsageFlags.KeyCertSign,
        ["cRLSign"] = X509KeyUsageFlags.CrlSign,
    };

    private static readonly Dictionary<string, string> ExtendedKeyUsageNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["serverAuth"] = Oids.ServerAuth,
        ["clientAuth"] = Oids.ClientAuth,
        ["emailProtection"] = Oids.EmailProtection,
        ["ocspSigning"] = Oids.OcspSigning,
    };

    /// <summary>The built-in profile <paramref name="name"/> with the instance's overrides applied.</summary>
    public static CertificateProfile Create(string name, IReadOnlyDictionary<string, ProfileOptions>? overrides = null)
    {
        if (!BuiltInProfiles.Defaults.TryGetValue(name, out var defaults))
            throw ECertException.Invalid($"unknown profile '{name}'; use one of {string.Join(", ", BuiltInProfiles.Names)}");
        var options = overrides is not null && overrides.TryGetValue(name, out var o) ? o.WithDefaults(defaults) : defaults;
        return Create(name, options);
    }

    public static CertificateProfile Create(string name, ProfileOptions options)
    {
        ECertException Bad(string message) => ECertException.Invalid($"profile '{name}': {message}");

        var issuingCa = string.IsNullOrWhiteSpace(options.IssuingCa) ? throw Bad("IssuingCa is required") : options.IssuingCa!;
        var template = options.SubjectTemplate switch
        {
            "person" => SubjectTemplate.Person,
            "organisational-user" => SubjectTemplate.OrganisationalUser,
            "authorised-unit" => SubjectTemplate.AuthorisedUnit,
            "server" => SubjectTemplate.Server,
            _ => throw Bad($"SubjectTemplate '{options.SubjectTemplate}' is not one of person, organisational-user, authorised-unit, server"),
        };
        var isServer = template == SubjectTemplate.Server;

        var maxValidity = options.MaxValidityDays ?? options.ValidityDays ?? 0;
        var validity = options.ValidityDays ?? 0;
        if (validity < 1) throw Bad("ValidityDays must be at least 1");
        if (validity > maxValidity) throw Bad($"ValidityDays {validity} exceeds MaxValidityDays {maxValidity}");
        if (isServer && maxValidity > ServerMaxValidityDays)
            throw Bad($"a TLS server profile may not allow more than {ServerMaxValidityDays} days (CA/Browser Forum Baseline Requirements 6.3.2)");

        var keyUsage = X509KeyUsageFlags.None;
        foreach (var usage in options.KeyUsages ?? [])
            keyUsage |= KeyUsageNames.TryGetValue(usage, out var flag) ? flag : throw Bad($"unknown key usage '{usage}'");
        if (keyUsage == X509KeyUsageFlags.None) throw Bad("KeyUsages must name at least one usage (RFC 5280 4.2.1.3)");
        if ((keyUsage & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0)
            throw Bad("keyCertSign and cRLSign are for CA certificates only (RFC 5280 4.2.1.3)");
        if (isServer && (keyUsage & ~(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment)) != 0)
            throw Bad("a TLS server certificate may only carry digitalSignature and keyEncipherment (Baseline Requirements 7.1.2.7.11)");

        var ekus = new List<string>();
        foreach (var usage in options.ExtendedKeyUsages ?? [])
        {
            var oid = ExtendedKeyUsageNames.TryGetValue(usage, out var named) ? named
                : IsOid(usage) ? usage : throw Bad($"unknown extended key usage '{usage}'");
            if (oid == "2.5.29.37.0") throw Bad("anyExtendedKeyUsage is not allowed in a subscriber certificate (Baseline Requirements 7.1.2.7.10)");
            if (!ekus.Contains(oid)) ekus.Add(oid);
        }
        if (ekus.Count == 0) throw Bad("ExtendedKeyUsages must name at least one usage");
        if (isServer && (ekus.Count != 1 || ekus[0] != Oids.ServerAuth))
            throw Bad("a TLS server profile must carry the serverAuth extended key usage and nothing else");
        if (!isServer && ekus.Contains(Oids.ServerAuth))
            throw Bad("serverAuth belongs only in the server profile: client certificates stay outside the TLS scope");

        var policies = options.PolicyOids ?? [];
        if (policies.Count == 0) throw Bad("PolicyOids must name the certificate policy (one per CPS version)");
        foreach (var policy in policies)
            if (!IsOid(policy)) throw Bad($"policy '{policy}' is not a dotted object identifier");
        if (isServer && !policies.Contains(Oids.CabfOrganizationValidated))
            throw Bad($"a TLS server profile must assert the CA/Browser Forum OV policy {Oids.CabfOrganizationValidated} (Baseline Requirements 7.1.6.1)");

        var maxDnsNames = options.MaxDnsNames ?? (isServer ? 50 : 0);
        if (isServer && maxDnsNames is < 1 or > 100) throw Bad("MaxDnsNames must be between 1 and 100");

        return new CertificateProfile
        {
            Name = name,
            IssuingCa = issuingCa,
            SubjectTemplate = template,
            ValidityDays = validity,
            MaxValidityDays = maxValidity,
            KeyUsage = keyUsage,
            ExtendedKeyUsageOids = ekus,
            PolicyOids = [.. policies],
            CentralKeyAlgorithm = KeyAlgorithms.Parse(options.CentralKeyAlgorithm ?? "rsa2048"),
            RelianceLimitHkd = options.RelianceLimitHkd,
            MaxDnsNames = maxDnsNames,
            AllowWildcard = options.AllowWildcard ?? false,
        };
    }

    private static bool IsOid(string text)
    {
        var arcs = text.Split('.');
        return arcs.Length >= 2 && arcs.All(a => a.Length > 0 && a.All(char.IsAsciiDigit)) && arcs[0] is "0" or "1" or "2";
    }
}
