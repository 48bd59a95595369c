using ECert.Core.Identity;
using ECert.Core.Issuance;
using ECert.Core.Stores;

namespace ECert.Core.Service;

/// <summary>What a person gives when registering (online pre-registration or at the counter).</summary>
public sealed record PersonRegistration(
    string Name,
    string IdNumber,
    string? ChineseName = null,
    string? CertificateEmail = null,
    string? ContactEmail = null,
    string? PostalAddress = null);

/// <summary>
/// Registers subscribers. A person is found again by the keyed hash of their identity number, so
/// the same person keeps one SRN; the clear number is never stored, only the hash and a masked form.
/// </summary>
public sealed class SubscriberRegistry(ISubscriberStore store, ICertificateStore certificates, IdentityNumberProtector protector, TimeProvider time)
{
    public const int MaxChineseNameLength = 32;

    public (Subscriber Subscriber, bool AlreadyRegistered) RegisterPerson(PersonRegistration registration)
    {
        var number = HkIdentityNumber.Parse(registration.IdNumber);
        var hash = protector.Digest(number);
        if (store.FindPersonByIdentity(hash) is { } existing) return (existing, true);
        var subscriber = new Subscriber
        {
            Srn = certificates.AllocateSrn(),
            Kind = SubscriberKind.Person,
            Name = SubjectBuilder.CheckName(registration.Name, "name"),
            ChineseName = Optional(registration.ChineseName, "Chinese name", MaxChineseNameLength),
            IdentityHash = hash,
            IdentityMasked = number.Masked,
            CertificateEmail = registration.CertificateEmail is null ? null : SubjectBuilder.CheckEmail(registration.CertificateEmail, "certificate e-mail"),
            ContactEmail = registration.ContactEmail is null ? null : SubjectBuilder.CheckEmail(registration.ContactEmail, "contact e-mail"),
            PostalAddress = Optional(registration.PostalAddress, "postal address", 300),
            CreatedAt = time.GetUtcNow(),
        };
        store.AddSubscriber(subscriber);
        return (subscriber, false);
    }

    public Organisation RegisterOrganisation(string brNumber, string name, string address)
    {
        var br = SubjectBuilder.BrNumber(brNumber);
        if (store.FindOrganisation(br) is not null)
            throw ECertException.Conflict($"organisation {br} is already registered");
        var organisation = new Organisation(br, SubjectBuilder.CheckName(name, "organisation name"),
            Optional(address, "address", 300) ?? throw ECertException.Invalid("an organisation needs an address"), time.GetUtcNow());
        store.AddOrganisation(organisation);
        return organisation;
    }

    /// <summary>An Authorised Representative, Authorised User, Authorised Unit or server of an organisation.</summary>
    public Subscriber RegisterMember(string brNumber, SubscriberKind kind, string name, string? email, string? orgUnit, bool isAuthorisedRepresentative)
    {
        if (kind == SubscriberKind.Person)
            throw ECertException.Invalid("persons register with their identity number, not as organisation members");
        var organisation = store.FindOrganisation(SubjectBuilder.BrNumber(brNumber))
            ?? throw ECertException.NotFound($"organisation {brNumber} is not registered");
        if (kind == SubscriberKind.AuthorisedUnit && string.IsNullOrWhiteSpace(orgUnit))
            throw ECertException.Invalid("an Authorised Unit needs its unit name (--org-unit)");
        var subscriber = new Subscriber
        {
            Srn = certificates.AllocateSrn(),
            Kind = kind,
            Name = SubjectBuilder.CheckName(name, "name"),
            CertificateEmail = email is null ? null : SubjectBuilder.CheckEmail(email, "e-mail"),
            BrNumber = organisation.BrNumber,
            OrgUnit = orgUnit is null ? null : SubjectBuilder.CheckName(orgUnit, "unit"),
            Role = isAuthorisedRepresentative ? "AR" : null,
            CreatedAt = time.GetUtcNow(),
        };
        store.AddSubscriber(subscriber);
        return subscriber;
    }

    public Subscriber Get(string srn) =>
        store.FindSubscriber(srn.Trim()) ?? throw ECertException.NotFound($"no subscriber with SRN {srn}");

    private static string? Optional(string? value, string what, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        VisibleText.CheckLine(text, what, max);
        return text;
    }
}
