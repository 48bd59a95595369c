using System.CommandLine;
using ECert.Core.Crl;
using ECert.Core.Keys;
using ECert.Core.Settings;
using ECert.Server;

namespace ECert.Cli.Commands;

/// <summary><c>ecert init</c>: the data folder, the database, the keystore and the CA hierarchy.</summary>
public static class InitCommand
{
    private static readonly Option<string> BaseUrl = new("--base-url")
    {
        Description = "Public base URL written into certificates (CRL and OCSP locations)",
        DefaultValueFactory = _ => "http://127.0.0.1:8080",
    };

    private static readonly Option<string> KeyAlgorithm = new("--key-algorithm")
    {
        Description = "Key algorithm of the CA keys: " + string.Join(", ", KeyAlgorithms.Names),
        DefaultValueFactory = _ => "rsa2048",
    };

    private static readonly Option<int?> PartitionSize = new("--crl-partition-size")
    {
        Description = "Certificates per partitioned CRL (fixed at issuance; default 10000)",
    };

    private static readonly Option<string?> Production = new("--production")
    {
        Description = "Production instance: every ./ecert verb needs a staff key; creates the first operator admin with this id and prints its key",
    };

    public static Command Create()
    {
        var command = new Command("init", "Create the data folder, the keystore and the CA hierarchy (root and issuing CAs)");
        command.Options.Add(BaseUrl);
        command.Options.Add(KeyAlgorithm);
        command.Options.Add(PartitionSize);
        command.Options.Add(Production);
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            var settings = new CaSettings
            {
                BaseUrl = parse.GetValue(BaseUrl)!,
                KeyAlgorithm = parse.GetValue(KeyAlgorithm)!,
            };
            if (parse.GetValue(PartitionSize) is { } size) settings.CrlPartitionSize = size;
            var administrator = parse.GetValue(Production);
            if (administrator is not null)
            {
                // Checked before anything is made: an instance that requires staff keys but has no staff is locked.
                Core.Access.StaffDirectory.CheckId(administrator);
                settings.Access.CliRequiresStaffKey = true;
            }
            var instance = Initialize(CommonOptions.DataFolder(parse), settings, confirmPassphrase: true);
            foreach (var ca in instance.Cas.ListCas())
                Console.WriteLine($"{ca.Slug}\t{ca.Certificate.Subject}\t{ca.Certificate.Thumbprint}");
            if (administrator is not null)
            {
                var (member, key) = instance.StaffDirectory().Add(administrator, administrator, Core.Access.Roles.OperatorAdministrator);
                Console.WriteLine($"staff\t{member.Id}\t{member.Role}\t{key}");
                Console.Error.WriteLine("ecert: keep this key: it is shown once, and every verb needs one (ECERT_STAFF_KEY)");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Creates an instance with its hierarchy and first CRLs; used by init and by serve's first start.</summary>
    public static EcertInstance Initialize(string folder, CaSettings settings, bool confirmPassphrase)
    {
        var algorithm = KeyAlgorithms.Parse(settings.KeyAlgorithm);
        settings.Validate();
        if (EcertInstance.Exists(folder))
            throw Core.ECertException.Conflict($"{folder} already holds an ECert instance with its CA hierarchy; refusing to overwrite it");
        // Also checked before the keys are made (that can take minutes), and again before the move.
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw Core.ECertException.Conflict($"{folder} exists and is not empty; choose another --data folder");
        if (File.Exists(folder))
            throw Core.ECertException.Conflict($"{folder} is a file; choose another --data folder");
        var passphrase = CommonOptions.ReadPassphrase(confirmPassphrase);
        // Built in a staging folder and moved into place at the end: a failure leaves nothing behind.
        var staging = Path.TrimEndingDirectorySeparator(folder) + $".init-{Guid.NewGuid():N}";
        try
        {
            var staged = EcertInstance.Create(staging, settings, () => passphrase);
            staged.Hierarchy().Create(algorithm, message => Console.Error.WriteLine($"ecert: {message}"));
            staged.Audit.Checkpoint();
            var reports = staged.CrlPublisher().PublishAll(includeRoots: true);
            Console.Error.WriteLine($"ecert: published {reports.Count} CRLs");
            staged.Database.CloseAll();
            if (Directory.Exists(folder))
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                    throw Core.ECertException.Conflict($"{folder} exists and is not empty; choose another --data folder");
                Directory.Delete(folder);
            }
            Directory.Move(staging, folder);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        Console.Error.WriteLine($"ecert: the CA hierarchy is ready in {folder}");
        var instance = EcertInstance.Open(folder, () => passphrase);
        return instance;
    }
}
