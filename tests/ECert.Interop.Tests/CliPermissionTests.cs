using System.CommandLine;
using ECert.Cli;
using ECert.Core.Access;

namespace ECert.Interop.Tests;

/// <summary>The permission matrix on the command line.</summary>
public class CliPermissionTests
{
    /// <summary>Verbs that do not act on an instance's records: creating one, serving it, loading a hand-back, printing the matrix.</summary>
    private static readonly string[] Bootstrap = ["init", "serve", "import", "staff permissions"];

    [Fact]
    public void EveryVerbThatOpensAnInstanceHasAPermission()
    {
        var leaves = new List<string>();
        void Walk(Command command, string path)
        {
            if (command.Subcommands.Count == 0) leaves.Add(path);
            foreach (var sub in command.Subcommands) Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}");
        }
        Walk(EcertCommands.Build(), "");
        Assert.True(leaves.Count > 50, $"only {leaves.Count} verbs");
        var missing = leaves.Where(v => !Bootstrap.Contains(v) && !CliAccess.VerbPermissions.ContainsKey(v)).ToList();
        Assert.True(missing.Count == 0, "verbs without a permission: " + string.Join(", ", missing));
        Assert.All(CliAccess.VerbPermissions.Values, p => Assert.Contains(p, Permissions.All));
    }

    /// <summary>Values for a verb's required options that parse, so the permission check is what decides.</summary>
    private static string[] Placeholders(Command command, string scratch, string existingFile)
    {
        var arguments = new List<string>();
        foreach (var argument in command.Arguments) arguments.Add(scratch);
        foreach (var option in command.Options.Where(o => o.Required))
        {
            arguments.Add(option.Name);
            arguments.Add(option.Name switch
            {
                "--serial" => "4000000000000000000000000000ABCD",
                "--srn" or "--requester" => "0000009999",
                "--date" or "--from" or "--until" => "2026-01-01",
                "--year" => "2026",
                "--scale" => "0",
                "--amount" => "1.00",
                "--reason" when command.Name is "revoke" or "receive" => "keyCompromise",
                "--profile" => "personal",
                "--channel" => "online",
                "--action" => "suspend",
                "--kind" => "person",
                "--role" => "auditor",
                "--operation" => "root-crl",
                "--document" => "hkid-card",
                "--file" or "--text-file" or "--recipient" or "--csr" => existingFile,
                "--out" => command.Name == "compile" ? scratch : Path.Combine(scratch, Guid.NewGuid().ToString("N")),
                _ => "X-1",
            });
        }
        return [.. arguments];
    }

    [Fact]
    public async Task WithStaffKeysRequiredEachRoleRunsOnlyItsVerbs()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ecert-cli-access-" + Guid.NewGuid().ToString("N")[..8]);
        var environment = new Dictionary<string, string> { ["ECERT_KEYSTORE_PASSPHRASE"] = "cli-access", ["ECERT_DATA"] = folder };
        try
        {
            // A production instance: the first operator admin's key comes out of init, and every verb needs a key from then on.
            var init = await Tooling.RunAsync(Tooling.EcertScript, ["init", "--base-url", "http://127.0.0.1:9", "--production", "admin"], environment);
            Assert.True(init.ExitCode == 0, init.ToString());
            var adminKey = init.Stdout.Split('\n').Single(l => l.StartsWith("staff\t", StringComparison.Ordinal)).Trim().Split('\t')[3];
            var keys = new Dictionary<string, string>();
            foreach (var role in Roles.All)
            {
                var added = await Tooling.RunAsync(Tooling.EcertScript, ["staff", "add", "--id", role, "--name", role, "--role", role],
                    new Dictionary<string, string>(environment) { ["ECERT_STAFF_KEY"] = adminKey });
                Assert.True(added.ExitCode == 0, added.ToString());
                keys[role] = added.Stdout.Trim().Split('\t')[2];
            }

            var anonymous = await Tooling.RunAsync(Tooling.EcertScript, ["outlet", "list"], environment);
            Assert.Equal(2, anonymous.ExitCode);
            Assert.Contains("ECERT_STAFF_KEY", anonymous.Stderr);

            // Every verb of the command tree, as every role, with placeholder values for its required options.
            var scratch = Path.Combine(folder, "scratch");
            Directory.CreateDirectory(scratch);
            var existing = Path.Combine(scratch, "input.txt");
            await File.WriteAllTextAsync(existing, "placeholder");
            var verbs = new List<(string Path, string[] Arguments)>();
            void Walk(Command command, string path)
            {
                if (command.Subcommands.Count == 0)
                {
                    if (!Bootstrap.Contains(path)) verbs.Add((path, [.. path.Split(' '), .. Placeholders(command, scratch, existing)]));
                    return;
                }
                foreach (var sub in command.Subcommands) Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}");
            }
            Walk(EcertCommands.Build(), "");
            Assert.True(verbs.Count > 50);
            var refused = 0;
            foreach (var (path, arguments) in verbs)
                foreach (var role in Roles.All)
                {
                    var run = await Tooling.RunAsync(Tooling.EcertScript, arguments, new Dictionary<string, string>(environment) { ["ECERT_STAFF_KEY"] = keys[role] });
                    var allowed = Permissions.Allows(role, CliAccess.VerbPermissions[path]);
                    if (allowed)
                        Assert.False(run.Stderr.Contains("may not run", StringComparison.Ordinal), $"{role} was refused '{path}': {run}");
                    else
                    {
                        Assert.True(run.ExitCode == 3 && run.Stderr.Contains($"role {role} may not run '{path}'", StringComparison.Ordinal),
                            $"{role} should be refused '{path}': {run}");
                        refused++;
                    }
                }
            Assert.True(refused > 200, $"only {refused} refusals");
            var audit = await Tooling.RunAsync(Tooling.EcertScript, ["audit", "list"],
                new Dictionary<string, string>(environment) { ["ECERT_STAFF_KEY"] = keys[Roles.Auditor] });
            Assert.Contains("\tcli.staff list\t", audit.Stdout);
            Assert.Contains("\trefused\tneeds staff.manage", audit.Stdout);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
