using System.Globalization;
using System.Reflection;
using System.Text;
using ECert.Core.Identity;

namespace ECert.Interop.Tests;

/// <summary>
/// <c>./ecert demo-data</c> on a new instance: every stage of the service shows, including the
/// subscription history (lapses, late payments, revocation for non-payment, renewals), the activity
/// spans more than a year, a second run is refused, and the invented identity numbers never reach
/// the disk in clear.
/// </summary>
public sealed class DemoDataTests : IDisposable
{
    private const string Passphrase = "demo-data-test-passphrase";

    // The demo guarantees one subscriber for each stage (18 persons), then 12% of the subscribers for the
    // history (its 4 stages guaranteed), and the server renewals in the first organisation: from 30
    // subscribers every stage shows; 40 leaves some room.
    private const int Subscribers = 40;
    private const int DefaultSeed = 2026;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ecert-demo-" + Guid.NewGuid().ToString("N")[..8]);

    private string Data => Path.Combine(_folder, "data");

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    // The first ./ecert of a test run may build the CLI: allow for that.
    private Task<ProcessResult> EcertAsync(params string[] arguments) =>
        Tooling.RunAsync(Tooling.EcertScript, arguments, new Dictionary<string, string> { ["ECERT_KEYSTORE_PASSPHRASE"] = Passphrase },
            _folder, TimeSpan.FromMinutes(5));

    private static List<string[]> Rows(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split('\t'))];

    [Fact]
    public async Task DemoDataFillsANewInstanceWithEveryStageOverMonthsAndRefusesASecondRun()
    {
        Directory.CreateDirectory(_folder);
        var init = await EcertAsync("init", "--data", Data, "--base-url", $"http://127.0.0.1:{Tooling.FreePort()}");
        Assert.True(init.ExitCode == 0, init.ToString());

        var demo = await EcertAsync("demo-data", "--data", Data, "--subscribers", Subscribers.ToString(CultureInfo.InvariantCulture));
        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Contains("ecert: demo-data: outlets", demo.Stderr);
        var summary = Rows(demo.Stdout);
        foreach (var state in new[] { "submitted", "identity-verified", "approved", "paid", "issued", "accepted", "withdrawn", "expired" })
        {
            var row = Assert.Single(summary, r => r.Length == 3 && r[0] == "application" && r[1] == state);
            Assert.True(int.Parse(row[2], CultureInfo.InvariantCulture) > 0, $"no application is {state}:\n{demo.Stdout}");
        }
        Assert.Contains(summary, r => r is ["subscribers", "40"]);
        Assert.Contains(summary, r => r is ["outlets", "10"]);
        foreach (var status in new[] { "valid", "suspended", "revoked" })
            Assert.Contains(summary, r => r.Length == 3 && r[0] == "certificate" && r[1] == status && int.Parse(r[2], CultureInfo.InvariantCulture) > 0);

        // The stages of the subscription history, status requests, rejections and a withdrawal after a full refund.
        (string Group, string Name)[] history =
        [
            ("application", "rejected"), ("application", "withdrawn-after-refund"),
            ("certificate", "suspended-non-payment"), ("revoked", "privilegeWithdrawn"),
            ("subscriptions", "paid-on-time"), ("subscriptions", "paid-late"),
            ("notifications", "suspended-non-payment"), ("notifications", "renewal-reminder"),
            ("renewals", "issued"), ("renewals", "same-srn"),
            ("status-requests", "signed-email"), ("status-requests", "fax"),
        ];
        foreach (var (group, name) in history)
        {
            var row = Assert.Single(summary, r => r.Length == 3 && r[0] == group && r[1] == name);
            Assert.True(int.Parse(row[2], CultureInfo.InvariantCulture) > 0, $"no {group} {name}:\n{demo.Stdout}");
        }
        var period = Assert.Single(summary, r => r.Length == 3 && r[0] == "period");
        Assert.True(DateOnly.Parse(period[2], CultureInfo.InvariantCulture).DayNumber - DateOnly.Parse(period[1], CultureInfo.InvariantCulture).DayNumber > 365,
            $"the demo covers {period[1]} to {period[2]} only");

        // The activity is spread over more than a year, not bunched on the day the command ran.
        var list = await EcertAsync("application", "list", "--data", Data);
        Assert.True(list.ExitCode == 0, list.ToString());
        var created = Rows(list.Stdout).Select(r => DateTimeOffset.Parse(r[4], CultureInfo.InvariantCulture)).ToList();
        Assert.True(created.Count >= Subscribers, list.Stdout);
        Assert.True((created.Max() - created.Min()).TotalDays > 365, $"applications were created from {created.Min():u} to {created.Max():u} only");

        // A second run is refused and changes nothing.
        var again = await EcertAsync("demo-data", "--data", Data, "--subscribers", Subscribers.ToString(CultureInfo.InvariantCulture));
        Assert.True(again.ExitCode == 5, again.ToString());
        Assert.Equal("", again.Stdout);
        var refusal = again.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.StartsWith("ecert: ", refusal);
        Assert.Contains("already holds", refusal);
        var listAgain = await EcertAsync("application", "list", "--data", Data);
        Assert.Equal(list.Stdout, listAgain.Stdout);

        // The identity numbers are valid but kept only as a keyed hash and a masked form: no file of the
        // instance (database, its WAL, keystore, settings) holds one in clear, while every masked form is there.
        var numbers = GeneratedIdentityNumbers(DefaultSeed, Subscribers);
        Assert.NotEmpty(numbers);
        var disk = string.Concat(Directory.EnumerateFiles(Data, "*", SearchOption.AllDirectories).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        foreach (var number in numbers)
        {
            var parsed = HkIdentityNumber.Parse(number); // valid check digit
            Assert.DoesNotContain(parsed.Canonical, disk, StringComparison.Ordinal);
            Assert.DoesNotContain($"{parsed.Prefix}{parsed.Digits}({parsed.CheckDigit})", disk, StringComparison.Ordinal);
            Assert.Contains(parsed.Masked, disk, StringComparison.Ordinal);
        }
    }

    /// <summary>The numbers the CLI invents for a seed, from the CLI that ./ecert just built and ran.</summary>
    private static IReadOnlyList<string> GeneratedIdentityNumbers(int seed, int subscribers)
    {
        var cli = Assembly.LoadFrom(Path.Combine(Tooling.RepositoryRoot, ".build", "cli", "ecert.dll"));
        var command = cli.GetType("ECert.Cli.Commands.DemoDataCommand", throwOnError: true)!;
        var method = command.GetMethod("IdentityNumbers", BindingFlags.Public | BindingFlags.Static, [typeof(int), typeof(int)])
            ?? throw new InvalidOperationException("DemoDataCommand.IdentityNumbers(int, int) is missing");
        return (IReadOnlyList<string>)method.Invoke(null, [seed, subscribers])!;
    }
}
