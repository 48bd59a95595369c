using System.CommandLine;
using ECert.Cli.Bench;
using ECert.Server;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert bench --scale N</c>: the load scenarios of docs/benchmarks.md, each against its peer in
/// the same run, on scratch instances created under --out (never the operator's data folder).
/// On a production host (the data folder requires staff keys) only a role with service.operate may
/// run it: it loads the machine the service runs on.
/// </summary>
public static class BenchCommand
{
    private static readonly Option<int> Scale = Verbs.Required<int>("--scale", "Certificates to issue, serve and revoke (e.g. 1000000)");
    private static readonly Option<string?> Out = Verbs.Optional<string?>("--out", "Folder for results.md and the scratch instances (default ./bench-results/<UTC time>)");
    private static readonly Option<int> Duration = Verbs.WithDefault("--duration", "Seconds of each wrk run", 10);
    private static readonly Option<int> Connections = Verbs.WithDefault("--connections", "wrk connections", 64);
    private static readonly Option<long> StoreRows = Verbs.WithDefault("--store-rows", "Rows of the large store for the status-lookup scaling (compared with 100,000)", 10_000_000L);
    private static readonly Option<int> Lookups = Verbs.WithDefault("--lookups", "Random status lookups timed at each store size", 200_000);
    private static readonly Option<bool> KeepScratch = Verbs.Optional<bool>("--keep-scratch", "Keep the scratch instances and peer files after the run");

    public static Command Create()
    {
        var command = new Command("bench", "Run the benchmarks against their peers (openssl, CFSSL, nginx) on scratch instances; prints a results table");
        foreach (var option in new Option[] { Scale, Out, Duration, Connections, StoreRows, Lookups, KeepScratch }) command.Options.Add(option);
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            // On a host with an instance, the caller must hold the permission; the bench itself never opens that instance again.
            var folder = CommonOptions.DataFolder(parse);
            if (EcertInstance.Exists(folder))
            {
                var instance = CommonOptions.OpenInstance(parse);
                instance.Audit.Record(new Core.Audit.AuditEvent(instance.Actor.Role, instance.Actor.Id, "cli.bench", Detail: $"scale {parse.GetValue(Scale)}"));
                instance.Database.CloseAll();
            }
            var scale = parse.GetValue(Scale);
            if (scale < 100) throw Core.ECertException.Invalid("--scale must be at least 100 certificates");
            if (parse.GetValue(Duration) is < 1 or > 600) throw Core.ECertException.Invalid("--duration must be 1 to 600 seconds");
            if (parse.GetValue(Connections) is < 1 or > 10_000) throw Core.ECertException.Invalid("--connections must be 1 to 10,000");
            if (parse.GetValue(Lookups) < 1000) throw Core.ECertException.Invalid("--lookups must be at least 1,000");
            var outFolder = parse.GetValue(Out) ?? Path.Combine("bench-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
            var line = "./ecert bench " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "bench").Skip(1));
            return new BenchRunner(new BenchOptions(scale, outFolder, parse.GetValue(Duration), parse.GetValue(Connections),
                parse.GetValue(StoreRows), parse.GetValue(Lookups), parse.GetValue(KeepScratch), line)).Run();
        }));
        return command;
    }
}
