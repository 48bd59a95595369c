using ECert.Core.Asn1;

namespace ECert.Core.Profiles;

/// <summary>
/// The five e-Cert types of the product catalogue, as default configuration. An instance may
/// override any field in <c>ecert.json</c>; the result is validated by <see cref="ProfileFactory"/>.
/// </summary>
public static class BuiltInProfiles
{
    public const string Personal = "personal";
    public const string PersonalSmartId = "personal-smartid";
    public const string Organisational = "organisational";
    public const string Encipherment = "encipherment";
    public const string Server = "server";

    public static readonly IReadOnlyList<string> Names = [Personal, PersonalSmartId, Organisational, Encipherment, Server];

    /// <summary>Certificate policy OIDs: ECert arc .1.&lt;type&gt;.&lt;CPS version&gt;.</summary>
    private static string Policy(int type, int cpsVersion) => $"{Oids.ECertPolicyArc}.{type}.{cpsVersion}";

    public static IReadOnlyDictionary<string, ProfileOptions> Defaults { get; } =
        new Dictionary<string, ProfileOptions>(StringComparer.OrdinalIgnoreCase)
        {
            [Personal] = new()
            {
                IssuingCa = "personal-g1", SubjectTemplate = "person",
                ValidityDays = 3 * 365, MaxValidityDays = 3 * 365 + 1,
                KeyUsages = ["digitalSignature", "nonRepudiation", "keyEncipherment"],
                ExtendedKeyUsages = ["clientAuth", "emailProtection"],
                PolicyOids = [Policy(1, 1)], CentralKeyAlgorithm = "rsa2048", RelianceLimitHkd = 200_000,
            },
            [PersonalSmartId] = new()
            {
                IssuingCa = "personal-g1", SubjectTemplate = "person",
                ValidityDays = 3 * 365, MaxValidityDays = 3 * 365 + 1,
                KeyUsages = ["digitalSignature", "nonRepudiation", "keyEncipherment"],
                ExtendedKeyUsages = ["clientAuth", "emailProtection"],
                PolicyOids = [Policy(2, 1)], CentralKeyAlgorithm = "rsa2048", RelianceLimitHkd = 200_000,
            },
            [Organisational] = new()
            {
                IssuingCa = "organisational-g1", SubjectTemplate = "organisational-user",
                ValidityDays = 365, MaxValidityDays = 2 * 365 + 1,
                KeyUsages = ["digitalSignature", "nonRepudiation", "keyEncipherment"],
                ExtendedKeyUsages = ["clientAuth", "emailProtection"],
                PolicyOids = [Policy(3, 1)], CentralKeyAlgorithm = "rsa2048", RelianceLimitHkd = 200_000,
            },
            [Encipherment] = new()
            {
                IssuingCa = "organisational-g1", SubjectTemplate = "authorised-unit",
                ValidityDays = 365, MaxValidityDays = 366,
                // digitalSignature only for signed acknowledgements of receipt.
                KeyUsages = ["keyEncipherment", "digitalSignature"],
                ExtendedKeyUsages = ["emailProtection"],
                PolicyOids = [Policy(4, 1)], CentralKeyAlgorithm = "rsa2048", RelianceLimitHkd = 200_000,
            },
            [Server] = new()
            {
                IssuingCa = "server-g1", SubjectTemplate = "server",
                ValidityDays = 198, MaxValidityDays = 199,
                KeyUsages = ["digitalSignature", "keyEncipherment"],
                ExtendedKeyUsages = ["serverAuth"],
                PolicyOids = [Oids.CabfOrganizationValidated, Policy(5, 1)], CentralKeyAlgorithm = "p256",
                MaxDnsNames = 50, AllowWildcard = true,
            },
        };
}
