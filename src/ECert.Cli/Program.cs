using System.CommandLine;
using ECert.Cli;
using ECert.Cli.Commands;

var root = EcertCommands.Build();
var parse = root.Parse(args);
// A mistyped command line is invalid input like any other: one line on stderr, exit code 2.
if (parse.Errors.Count > 0)
{
    var path = string.Join(' ', parse.CommandResult.Command is RootCommand ? [] : CommandPath(parse.CommandResult));
    Console.Error.WriteLine($"ecert: {string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.').Replace("as expected type 'System.Int32'", "as a whole number", StringComparison.Ordinal)))} (see ./ecert {path}{(path.Length > 0 ? " " : "")}--help)");
    return 2;
}
return await parse.InvokeAsync();

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result) =>
    result.Parent is System.CommandLine.Parsing.CommandResult parent && parent.Command is not RootCommand
        ? [.. CommandPath(parent), result.Command.Name]
        : [result.Command.Name];

namespace ECert.Cli
{
    /// <summary>The command tree of ./ecert, also walked by the tests (every verb has a permission).</summary>
    public static class EcertCommands
    {
        public static RootCommand Build()
        {
            var root = new RootCommand("ECert: a public certification authority as a service (e-Cert).");
            root.Options.Add(CommonOptions.Data);
            root.Subcommands.Add(InitCommand.Create());
            root.Subcommands.Add(ServeCommand.Create());
            root.Subcommands.Add(IssueCommand.Create());
            foreach (var command in StatusCommands.Create()) root.Subcommands.Add(command);
            root.Subcommands.Add(CrlCommand.Create());
            root.Subcommands.Add(BulkCommands.Create());
            root.Subcommands.Add(OcspCommands.Create());
            root.Subcommands.Add(OutletCommands.Outlet());
            root.Subcommands.Add(OutletCommands.Officer());
            root.Subcommands.Add(SubscriberCommands.Create());
            root.Subcommands.Add(ApplicationCommands.Create());
            root.Subcommands.Add(BillingCommands.Tariff());
            root.Subcommands.Add(BillingCommands.Payment());
            root.Subcommands.Add(BillingCommands.Report());
            root.Subcommands.Add(BillingCommands.ServiceVerbs());
            root.Subcommands.Add(StatusRequestCommands.Create());
            root.Subcommands.Add(DemoDataCommand.Create());
            root.Subcommands.Add(AuditCommands.Create());
            root.Subcommands.Add(ConsentCommands.Create());
            root.Subcommands.Add(PrivacyCommands.Create());
            root.Subcommands.Add(PrivacyCommands.Retention());
            root.Subcommands.Add(StaffCommands.Create());
            root.Subcommands.Add(CeremonyCommands.Create());
            root.Subcommands.Add(HandBackCommands.Export());
            root.Subcommands.Add(HandBackCommands.Import());
            root.Subcommands.Add(BenchCommand.Create());
            return root;
        }
    }
}
