using System.Security.Cryptography.X509Certificates;
using ECert.Core.Keys;

namespace ECert.Core.Profiles;

/// <summary>How a profile's subject name is built from the applicant's details.</summary>
public enum SubjectTemplate
{
    /// <summary>Personal e-Certs: name as on the identity card, SRN, protected identity number.</summary>
    Person,
    /// <summary>Organisational e-Certs: an Authorised User of an organisation.</summary>
    OrganisationalUser,
    /// <summary>Encipherment e-Certs: an Authorised Unit of an organisation.</summary>
    AuthorisedUnit,
    /// <summary>Server (TLS) e-Certs: DNS names in subjectAltName, organisation in the subject.</summary>
    Server,
}

/// <summary>A validated, immutable certificate profile. Build one with <see cref="ProfileFactory"/>.</summary>
public sealed record CertificateProfile
{
    public required string Name { get; init; }
    public required string IssuingCa { get; init; }
    public required SubjectTemplate SubjectTemplate { get; init; }
    public required int ValidityDays { get; init; }
    public required int MaxValidityDays { get; init; }
    public required X509KeyUsageFlags KeyUsage { get; init; }
    public required IReadOnlyList<string> ExtendedKeyUsageOids { get; init; }
    public required IReadOnlyList<string> PolicyOids { get; init; }
    public required KeyAlgorithm CentralKeyAlgorithm { get; init; }
    public long? RelianceLimitHkd { get; init; }
    public int MaxDnsNames { get; init; }
    public bool AllowWildcard { get; init; }

    public bool IsServer => SubjectTemplate == SubjectTemplate.Server;
    public TimeSpan Validity => TimeSpan.FromDays(ValidityDays);
}
