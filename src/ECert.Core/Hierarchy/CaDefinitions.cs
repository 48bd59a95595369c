using ECert.Core.Asn1;

namespace ECert.Core.Hierarchy;

/// <summary>One CA of the demo hierarchy that <c>ecert init</c> creates.</summary>
public sealed record CaDefinition(string Slug, string CommonName, int ValidityYears, IReadOnlyList<string>? ExtendedKeyUsages, IReadOnlyList<string> Policies);

/// <summary>
/// The hierarchy created on first start: one root, and issuing CAs for the client families
/// (Personal; Organisational and Encipherment) and for Server (TLS). Generation suffixes (G1) leave
/// room for planned rollovers.
/// </summary>
public static class CaDefinitions
{
    public const string AnyPolicy = "2.5.29.32.0";

    public static readonly CaDefinition Root = new("root-g1", "ECert Root CA G1", 25, null, []);

    public static readonly IReadOnlyList<CaDefinition> Issuing =
    [
        new("personal-g1", "ECert Personal CA G1", 10, [Oids.ClientAuth, Oids.EmailProtection], [AnyPolicy]),
        new("organisational-g1", "ECert Organisational CA G1", 10, [Oids.ClientAuth, Oids.EmailProtection], [AnyPolicy]),
        // A TLS issuing CA carries serverAuth and exactly the policies its certificates assert
        // (BR 7.1.2.10): the CA/B Forum OV policy and the server CPS policy. A new CPS version means a
        // new issuing CA generation.
        new("server-g1", "ECert Server CA G1", 10, [Oids.ServerAuth], [Oids.CabfOrganizationValidated, Oids.ECertPolicyArc + ".5.1"]),
    ];
}
