using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using ECert.Core.Asn1;
using ECert.Core.Identity;
using ECert.Core.Profiles;

namespace ECert.Core.Issuance;

/// <summary>The subject of a certificate as the profile's template built it from the details.</summary>
public sealed record BuiltSubject(
    X500DistinguishedName Name,
    string DisplayName,
    X509Extension? SubjectAltName,
    HkIdentityNumber? IdentityNumber,
    byte[]? IdentityDigest,
    IReadOnlyList<string> DnsNames,
    string? Email);

/// <summary>
/// Builds the subject name per template (upper bounds from RFC 5280 Appendix A: 64 characters for
/// names, organisations and units). The Subscriber Reference Number goes in the serialNumber attribute.
/// </summary>
public static partial class SubjectBuilder
{
    public const int MaxNameLength = 64;
    public const int MaxEmailLength = 128;

    // An RFC 5321 mailbox in ASCII (an rfc822Name is an IA5String, RFC 5280 4.2.1.6): a dot-atom
    // local part of at most 64 characters, then host-name labels of at most 63 and a top-level
    // domain of letters (or an IDN's xn-- form). Quoted local parts and address literals are refused.
    [GeneratedRegex(@"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"^[0-9]{8}(-[0-9]{3})?$")]
    private static partial Regex BrNumberShape();

    public static BuiltSubject Build(CertificateProfile profile, SubjectDetails details, string srn)
    {
        var template = profile.SubjectTemplate;
        Refuse(profile, details.IdNumber, "--id-number", template == SubjectTemplate.Person);
        Refuse(profile, details.Organisation, "--org", template != SubjectTemplate.Person);
        Refuse(profile, details.OrganisationUnit, "--org-unit", template is SubjectTemplate.OrganisationalUser or SubjectTemplate.AuthorisedUnit);
        Refuse(profile, details.BrNumber, "--br-number", template is SubjectTemplate.OrganisationalUser or SubjectTemplate.AuthorisedUnit or SubjectTemplate.Server);
        Refuse(profile, details.Email, "--email", template != SubjectTemplate.Server);
        if (details.DnsNames.Count > 0 && template != SubjectTemplate.Server)
            throw ECertException.Invalid($"--dns does not apply to profile '{profile.Name}'; DNS names belong in server certificates");

        var dn = new DistinguishedName().Country("HK");
        var san = new SubjectAlternativeNameBuilder();
        var hasSan = false;
        HkIdentityNumber? idNumber = null;
        string? email = null;
        IReadOnlyList<string> dnsNames = [];
        string display;

        if (template == SubjectTemplate.Server)
        {
            var org = Text(details.Organisation, "--org", "the organisation that owns the server", required: true)!;
            if (details.DnsNames.Count == 0)
                throw ECertException.Invalid($"profile '{profile.Name}' needs at least one --dns name (Baseline Requirements 7.1.2.7.12: subjectAltName is required)");
            var names = details.DnsNames.Select(n => DnsNames.Check(n, profile.AllowWildcard)).Distinct().ToList();
            if (names.Count > profile.MaxDnsNames)
                throw ECertException.Policy($"{names.Count} DNS names exceed profile '{profile.Name}''s limit of {profile.MaxDnsNames}");
            dn.Locality("Hong Kong");
            dn.Organization(org);
            if (details.BrNumber is not null) dn.Add(Oids.OrganizationIdentifier, "NTRHK-" + BrNumber(details.BrNumber), UniversalTagNumber.PrintableString);
            // The common name, when present, must be one of the SAN entries (Baseline Requirements 7.1.4.3).
            if (names[0].Length <= MaxNameLength) dn.Common(names[0]);
            foreach (var name in names) san.AddDnsName(name);
            hasSan = true;
            dnsNames = names;
            display = names[0];
        }
        else
        {
            if (template == SubjectTemplate.Person)
            {
                display = Text(details.Name, "--name", "the name as on the identity card", required: true)!;
                if (details.IdentityDigest is null)
                    idNumber = HkIdentityNumber.Parse(details.IdNumber ?? throw ECertException.Invalid($"profile '{profile.Name}' needs --id-number (the Hong Kong identity card number)"));
                else if (details.IdNumber is not null)
                    throw ECertException.Invalid("give the identity number or its protected form, not both");
            }
            else
            {
                var org = Text(details.Organisation, "--org", "the organisation name", required: true)!;
                var br = BrNumber(details.BrNumber ?? throw ECertException.Invalid($"profile '{profile.Name}' needs --br-number (the business registration number)"));
                dn.Organization(org);
                var unit = Text(details.OrganisationUnit, "--org-unit", template == SubjectTemplate.AuthorisedUnit ? "the Authorised Unit" : "the branch or department",
                    required: template == SubjectTemplate.AuthorisedUnit);
                if (unit is not null) dn.OrganizationalUnit(unit);
                dn.Add(Oids.OrganizationIdentifier, "NTRHK-" + br, UniversalTagNumber.PrintableString);
                display = template == SubjectTemplate.AuthorisedUnit
                    ? Text(details.Name, "--name", "the unit's name", required: false) ?? unit!
                    : Text(details.Name, "--name", "the Authorised User's name", required: true)!;
            }
            dn.Common(display);
            if (details.Email is not null)
            {
                email = CheckEmail(details.Email, "--email");
                san.AddEmailAddress(email);
                hasSan = true;
            }
        }
        dn.Add(Oids.SerialNumberAttribute, srn, UniversalTagNumber.PrintableString);
        return new BuiltSubject(dn.Build(), display, hasSan ? san.Build() : null, idNumber, details.IdentityDigest, dnsNames, email);
    }

    /// <summary>An e-mail address of at most 128 characters, returned trimmed.</summary>
    public static string CheckEmail(string value, string what)
    {
        var email = value.Trim();
        return email.Length <= MaxEmailLength && EmailShape().IsMatch(email) ? email
            : throw ECertException.Invalid($"{what} '{value}' is not an e-mail address");
    }

    /// <summary>A name for a certificate: present, at most 64 characters, no control characters.</summary>
    public static string CheckName(string? value, string what) => Text(value, what, "a name", required: true)!;

    private static void Refuse(CertificateProfile profile, string? value, string option, bool applies)
    {
        if (!applies && value is not null)
            throw ECertException.Invalid($"{option} does not apply to profile '{profile.Name}'");
    }

    private static string? Text(string? value, string option, string what, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
            return required ? throw ECertException.Invalid($"{option} is required: {what}") : null;
        var text = value.Trim();
        if (text.Length > MaxNameLength)
            throw ECertException.Invalid($"{option} is {text.Length} characters; a name in a certificate may have at most {MaxNameLength} (RFC 5280 Appendix A)");
        var hasLetter = VisibleText.Check(text, option);
        return hasLetter ? text : throw ECertException.Invalid($"{option} has no letter: {what}");
    }

    public static string BrNumber(string value)
    {
        var text = value.Trim();
        return BrNumberShape().IsMatch(text) ? text
            : throw ECertException.Invalid($"--br-number '{value}' is not a business registration number (8 digits, optionally followed by -NNN)");
    }
}
