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

            (string[] Verb, string Permission)[] probes =
            [
                (["outlet", "list"], Permissions.OutletsRead), (["tariff", "list"], Permissions.TariffsRead),
                (["report", "revenue", "--year", "2026"], Permissions.ReportsRead), (["audit", "verify"], Permissions.AuditRead),
                (["staff", "list"], Permissions.StaffManage), (["privacy", "overdue"], Permissions.PrivacyRequests),
                (["crl"], Permissions.CrlPublish), (["application", "list"], Permissions.ApplicationsRead),
            ];
            foreach (var (verb, permission) in probes)
                foreach (var role in Roles.All)
                {
                    var run = await Tooling.RunAsync(Tooling.EcertScript, verb, new Dictionary<string, string>(environment) { ["ECERT_STAFF_KEY"] = keys[role] });
                    if (Permissions.Allows(role, permission))
                        Assert.True(run.ExitCode == 0, $"{role} {string.Join(' ', verb)}: {run}");
                    else
                    {
                        Assert.True(run.ExitCode == 3, $"{role} {string.Join(' ', verb)} should be refused: {run}");
                        Assert.Contains($"role {role} may not run", run.Stderr);
                    }
                }
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
