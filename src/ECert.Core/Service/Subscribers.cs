namespace ECert.Core.Service;

public enum SubscriberKind { Person, AuthorisedUser, AuthorisedUnit, Server }

/// <summary>
/// The holder of certificates under one Subscriber Reference Number (SRN), which stays the same
/// across renewals and payments. A person's identity number is held only as a keyed hash (for
/// matching) and a masked form (for display); organisation members belong to an organisation.
/// </summary>
public sealed record Subscriber
{
    public required string Srn { get; init; }
    public required SubscriberKind Kind { get; init; }
    public required string Name { get; init; }
    public string? ChineseName { get; init; }
    public byte[]? IdentityHash { get; init; }
    public string? IdentityMasked { get; init; }
    public string? CertificateEmail { get; init; }
    public string? ContactEmail { get; init; }
    public string? PostalAddress { get; init; }
    public string? BrNumber { get; init; }
    public string? OrgUnit { get; init; }
    /// <summary>"AR" for an organisation's Authorised Representative.</summary>
    public string? Role { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    public bool IsAuthorisedRepresentative => Role == "AR";

    /// <summary>Where reminders go: the contact address, else the certificate's.</summary>
    public string? NotificationEmail => ContactEmail ?? CertificateEmail;

    public static string KindName(SubscriberKind kind) => kind switch
    {
        SubscriberKind.Person => "person",
        SubscriberKind.AuthorisedUser => "authorised-user",
        SubscriberKind.AuthorisedUnit => "authorised-unit",
        _ => "server",
    };

    public static SubscriberKind ParseKind(string text) => text switch
    {
        "person" => SubscriberKind.Person,
        "authorised-user" => SubscriberKind.AuthorisedUser,
        "authorised-unit" => SubscriberKind.AuthorisedUnit,
        "server" => SubscriberKind.Server,
        _ => throw ECertException.Invalid($"unknown subscriber kind '{text}'; use person, authorised-user, authorised-unit or server"),
    };
}

/// <summary>An organisation, identified by its Hong Kong business registration number.</summary>
public sealed record Organisation(string BrNumber, string Name, string Address, DateTimeOffset CreatedAt);
