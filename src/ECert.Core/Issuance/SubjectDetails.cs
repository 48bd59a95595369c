namespace ECert.Core.Issuance;

/// <summary>
/// What the applicant's verified details say about the subject. Which fields a profile needs or
/// refuses is decided by its <see cref="Profiles.SubjectTemplate"/> in <see cref="SubjectBuilder"/>.
/// </summary>
public sealed record SubjectDetails
{
    /// <summary>A person's name as on the identity card, or an Authorised User's name.</summary>
    public string? Name { get; init; }

    /// <summary>The clear identity number: checked, hashed, masked, and never stored.</summary>
    public string? IdNumber { get; init; }

    /// <summary>
    /// The keyed hash of a registered person's identity number, in place of <see cref="IdNumber"/>:
    /// the service keeps only this, never the clear number.
    /// </summary>
    public byte[]? IdentityDigest { get; init; }

    public string? Email { get; init; }
    public string? Organisation { get; init; }
    public string? OrganisationUnit { get; init; }

    /// <summary>Hong Kong business registration number: 8 digits, optionally followed by -NNN.</summary>
    public string? BrNumber { get; init; }

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>The Subscriber Reference Number; the CA assigns one when none is given.</summary>
    public string? Srn { get; init; }
}
