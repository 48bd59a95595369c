using System.CommandLine;
using ECert.Core.Issuance;
using ECert.Core.Profiles;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert issue</c>: certify a CSR's key, or generate the key centrally (PKCS#12 with a PIN shown
/// once on stderr, the "PIN envelope"; the CA keeps no copy of the key). Prints the serial.
/// </summary>
public static class IssueCommand
{
    private static readonly Option<string> Profile = new("--profile")
    {
        Description = "personal, personal-smartid, organisational, encipherment or server",
        Required = true,
    };
    private static readonly Option<FileInfo?> Csr = new("--csr") { Description = "PKCS#10 request (PEM or DER) holding the subscriber's public key" };
    private static readonly Option<bool> GenerateKey = new("--generate-key") { Description = "Central key generation: the key goes only into the --p12 file" };
    private static readonly Option<FileInfo?> P12 = new("--p12") { Description = "Where to write the PKCS#12 (key, certificate, chain) with --generate-key" };
    private static readonly Option<FileInfo> Out = new("--out") { Description = "Where to write the certificate (PEM)", Required = true };
    private static readonly Option<string?> Name = new("--name") { Description = "Name as on the identity card, or the Authorised User's name" };
    private static readonly Option<string?> IdNumber = new("--id-number") { Description = "Hong Kong identity card number, e.g. A123456(3); '-' reads it from stdin" };
    private static readonly Option<string?> Email = new("--email") { Description = "E-mail address for the certificate" };
    private static readonly Option<string?> Org = new("--org") { Description = "Organisation name" };
    private static readonly Option<string?> OrgUnit = new("--org-unit") { Description = "Branch or department; the Authorised Unit for encipherment" };
    private static readonly Option<string?> BrNumber = new("--br-number") { Description = "Business registration number (8 digits, optionally -NNN)" };
    private static readonly Option<string[]> Dns = new("--dns") { Description = "DNS name for a server certificate (repeat for more)" };
    private static readonly Option<string?> Srn = new("--srn") { Description = "Subscriber Reference Number to keep (assigned by the CA when absent)" };

    public static Command Create()
    {
        var command = new Command("issue", "Issue a certificate under a profile; prints its serial");
        foreach (var option in new Option[] { Profile, Csr, GenerateKey, P12, Out, Name, IdNumber, Email, Org, OrgUnit, BrNumber, Dns, Srn })
            command.Options.Add(option);
        command.SetAction(parse => CommonOptions.Run(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var instance = CommonOptions.OpenInstance(parse);
        var profile = ProfileFactory.Create(parse.GetValue(Profile)!, instance.Settings.Profiles);
        var details = new SubjectDetails
        {
            Name = parse.GetValue(Name), IdNumber = CommonOptions.IdentityNumber(parse.GetValue(IdNumber)), Email = parse.GetValue(Email),
            Organisation = parse.GetValue(Org), OrganisationUnit = parse.GetValue(OrgUnit), BrNumber = parse.GetValue(BrNumber),
            DnsNames = parse.GetValue(Dns) ?? [], Srn = parse.GetValue(Srn),
        };
        using var delivery = KeyDelivery.From(parse.GetValue(Csr), parse.GetValue(GenerateKey), parse.GetValue(P12), null, profile.CentralKeyAlgorithm, parse.GetValue(Out)!);
        var issued = instance.Issuer().Issue(new IssuanceRequest(profile.Name, delivery.PublicKey, details));
        delivery.Deliver(issued, instance);
        Console.WriteLine(issued.SerialHex);
        return 0;
    }
}
