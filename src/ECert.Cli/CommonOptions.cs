using System.CommandLine;
using ECert.Core;
using ECert.Server;

namespace ECert.Cli;

/// <summary>Options and helpers every verb shares: the data folder, the passphrase, error mapping.</summary>
public static class CommonOptions
{
    public const string PassphraseVariable = "ECERT_KEYSTORE_PASSPHRASE";
    public const string DataVariable = "ECERT_DATA";

    public static readonly Option<string?> Data = new("--data")
    {
        Description = $"The data folder (default: ${DataVariable}, else ./ecert-data)",
        Recursive = true,
    };

    public static string DataFolder(ParseResult parse)
    {
        var given = parse.GetValue(Data);
        if (given is not null && string.IsNullOrWhiteSpace(given)) throw ECertException.Invalid("--data is empty; give the data folder");
        var fromEnvironment = Environment.GetEnvironmentVariable(DataVariable);
        if (given is null && fromEnvironment is not null && string.IsNullOrWhiteSpace(fromEnvironment))
            throw ECertException.Invalid($"{DataVariable} is set but blank; give the data folder, or unset it for ./ecert-data");
        return Path.GetFullPath(given ?? fromEnvironment ?? "ecert-data");
    }

    /// <summary>Opens the data folder's instance and checks the caller may run this verb (see CliAccess).</summary>
    public static EcertInstance OpenInstance(ParseResult parse)
    {
        var instance = EcertInstance.Open(DataFolder(parse), ReadPassphrase);
        CliAccess.Authorise(instance, parse);
        return instance;
    }

    /// <summary>
    /// An identity card number given as "-" is read from stdin, so the clear number never appears
    /// on the command line (visible in ps and shell history).
    /// </summary>
    public static string? IdentityNumber(string? value)
    {
        if (value != "-") return value;
        return Console.In.ReadLine()?.Trim() is { Length: > 0 } line ? line
            : throw ECertException.Invalid("--id-number - expects the identity card number on stdin");
    }

    /// <summary>The keystore passphrase: from the environment, else asked on the terminal.</summary>
    public static string ReadPassphrase() => ReadPassphrase(confirm: false);

    public static string ReadPassphrase(bool confirm)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(PassphraseVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        if (Console.IsInputRedirected)
            throw ECertException.Invalid($"the keystore passphrase is needed: set {PassphraseVariable} (no terminal to ask on)");
        var first = Prompt("Keystore passphrase: ");
        if (first.Length == 0) throw ECertException.Invalid("the keystore passphrase must not be empty");
        if (confirm && Prompt("Repeat the passphrase: ") != first)
            throw ECertException.Invalid("the two passphrases differ");
        return first;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; continue; }
            text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }

    /// <summary>
    /// Runs a verb: results on stdout, one line on stderr for an error, and an exit code by kind
    /// (2 invalid input, 3 refused by policy, 4 not found, 5 conflict, 70 internal).
    /// </summary>
    public static int Run(Func<int> verb)
    {
        try
        {
            return verb();
        }
        catch (ECertException e)
        {
            Console.Error.WriteLine($"ecert: {e.Message}");
            return ExitCode(e.Kind);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"ecert: {e.Message}");
            return 74;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"ecert: {e.Message}");
            return 77;
        }
        catch (Exception e)
        {
            // Never a stack trace for an operator: one line naming what failed.
            Console.Error.WriteLine($"ecert: unexpected error ({e.GetType().Name}): {e.Message.ReplaceLineEndings(" ")}");
            return 70;
        }
    }

    public static int ExitCode(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidInput => 2,
        ErrorKind.PolicyViolation => 3,
        ErrorKind.NotFound => 4,
        ErrorKind.Conflict => 5,
        _ => 70,
    };
}
