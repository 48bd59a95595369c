using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Profiles;
using ECert.Server;

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
    private static readonly Option<string?> IdNumber = new("--id-number") { Description = "Hong Kong identity card number, e.g. A123456(3)" };
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
        var csr = parse.GetValue(Csr);
        var generate = parse.GetValue(GenerateKey);
        var p12 = parse.GetValue(P12);
        if ((csr is null) == !generate)
            throw ECertException.Invalid("give exactly one of --csr FILE or --generate-key");
        if (generate && p12 is null)
            throw ECertException.Invalid("--generate-key needs --p12 FILE: the generated key is delivered only in that file");
        if (!generate && p12 is not null)
            throw ECertException.Invalid("--p12 goes with --generate-key");

        var instance = CommonOptions.OpenInstance(parse);
        var profile = ProfileFactory.Create(parse.GetValue(Profile)!, instance.Settings.Profiles);
        var details = new SubjectDetails
        {
            Name = parse.GetValue(Name), IdNumber = parse.GetValue(IdNumber), Email = parse.GetValue(Email),
            Organisation = parse.GetValue(Org), OrganisationUnit = parse.GetValue(OrgUnit), BrNumber = parse.GetValue(BrNumber),
            DnsNames = parse.GetValue(Dns) ?? [], Srn = parse.GetValue(Srn),
        };
        var certificateOut = new PendingFile(parse.GetValue(Out)!);
        var p12Out = p12 is null ? null : new PendingFile(p12);
        using var generatedKey = generate ? profile.CentralKeyAlgorithm.Generate() : null;
        var publicKey = generatedKey is not null
            ? PublicKey.CreateFromSubjectPublicKeyInfo(generatedKey.ExportSubjectPublicKeyInfo(), out _)
            : CsrReader.ReadPublicKey(ReadInput(csr!));

        var issued = instance.Issuer().Issue(new IssuanceRequest(profile.Name, publicKey, details));
        string? pin = null;
        try
        {
            // Both files are written in full beside their targets first, then renamed into place.
            if (generatedKey is not null)
            {
                pin = PinEnvelope.NewPin();
                p12Out!.WriteTemporary(BuildPkcs12(issued, generatedKey, instance, pin));
            }
            certificateOut.WriteTemporary(System.Text.Encoding.ASCII.GetBytes(issued.Pem));
            p12Out?.Commit();
            certificateOut.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            certificateOut.Discard();
            p12Out?.Discard();
            p12Out?.DeleteTarget();
            // A certificate nobody received must not stay valid; a centrally generated key is gone.
            instance.Status().Revoke(issued.SerialHex, Core.Status.RevocationReason.CessationOfOperation);
            throw new IOException($"certificate {issued.SerialHex} was issued but could not be delivered ({e.Message}); it has been revoked (cessationOfOperation): issue again", e);
        }
        if (pin is not null)
        {
            Console.Error.WriteLine($"PIN envelope for {issued.SerialHex}: {pin}");
            Console.Error.WriteLine("(shown once: print it for the PIN mailer; the CA keeps no copy of the key or the PIN)");
        }
        Console.WriteLine(issued.SerialHex);
        return 0;
    }

    private static byte[] BuildPkcs12(IssuedCertificate issued, AsymmetricAlgorithm key, EcertInstance instance, string pin)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
        using var withKey = key switch
        {
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            _ => throw new InvalidOperationException("unexpected key type"),
        };
        var chain = new X509Certificate2Collection { withKey };
        for (var ca = issued.Issuer; ca is not null; ca = ca.ParentSlug is null ? null : instance.Cas.FindCa(ca.ParentSlug))
            chain.Add(ca.Certificate);
        return chain.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, pin);
    }

    private static byte[] ReadInput(FileInfo file)
    {
        if (!file.Exists) throw ECertException.Invalid($"{file.FullName} does not exist");
        if (file.Length > CsrReader.MaxCsrBytes) throw ECertException.Invalid($"{file.FullName} is larger than a CSR can be");
        return File.ReadAllBytes(file.FullName);
    }
}
