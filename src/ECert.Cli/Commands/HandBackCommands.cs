using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Server;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert export</c> and <c>ecert import</c>: the Government's hand-back of all records.</summary>
public static class HandBackCommands
{
    public static Command Export()
    {
        var output = Required<string>("--out", "A new or empty folder for the export");
        var recipient = Required<FileInfo>("--recipient", "The Government's recipient certificate (PEM or DER, RSA)");
        return Verb("export", "Export every record, encrypted to the recipient, with a signed manifest of hashes", [output, recipient], (parse, instance) =>
        {
            var file = parse.GetValue(recipient)!;
            using var certificate = LoadCertificate(InputFiles.Read(file, 64 * 1024, "a certificate"), "--recipient");
            if (certificate.GetRSAPublicKey() is null) throw ECertException.Invalid("the recipient certificate must hold an RSA key");
            var report = GovernmentExport.Export(instance, Path.GetFullPath(parse.GetValue(output)!), certificate, instance.Actor with { Purpose = "contract-hand-back" });
            Row(report.Folder, $"tables={report.Tables}", $"rows={report.Rows}", $"files={report.Files}");
        });
    }

    public static Command Import()
    {
        var source = new Argument<DirectoryInfo>("export") { Description = "The export folder" };
        var certificate = Required<FileInfo>("--recipient", "The recipient certificate (PEM)");
        var key = Required<FileInfo>("--recipient-key", "The recipient's private key (PEM)");
        var auditKey = Optional<FileInfo?>("--audit-key", "The exporting instance's audit public key, as published (default: the copy in the export)");
        var command = new Command("import", "Load an export into a new data folder (--data); refuses a tampered export, naming the file");
        command.Arguments.Add(source);
        foreach (var option in new Option[] { certificate, key, auditKey }) command.Options.Add(option);
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            using var recipient = LoadRecipient(parse.GetValue(certificate)!, parse.GetValue(key)!);
            var trusted = parse.GetValue(auditKey) is { } pem ? InputFiles.ReadText(pem, 64 * 1024, "a public key") : null;
            var report = GovernmentExport.Import(parse.GetValue(source)!.FullName, CommonOptions.DataFolder(parse), recipient, trusted);
            Row(report.Folder, $"tables={report.Tables}", $"rows={report.Rows}", $"files={report.Files}");
            return 0;
        }));
        return command;
    }

    /// <summary>A certificate in PEM or DER; anything else is named as such, not as an ASN.1 error.</summary>
    private static X509Certificate2 LoadCertificate(byte[] bytes, string option)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw ECertException.Invalid($"{option} is not a certificate (PEM or DER)");
        }
    }

    private static X509Certificate2 LoadRecipient(FileInfo certificate, FileInfo key)
    {
        var certificatePem = InputFiles.ReadText(certificate, 64 * 1024, "a certificate");
        var keyPem = InputFiles.ReadText(key, 64 * 1024, "a private key");
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw ECertException.Invalid($"--recipient and --recipient-key are not a PEM certificate and its private key: {e.Message}");
        }
    }
}
