using System.CommandLine;
using System.Globalization;
using ECert.Core.Status;
using ECert.Server.Bulk;
using Spectre.Console;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert bulk issue | revoke</c>: whole files of smart ID card records or serials, resumable.
/// Progress goes to stderr (a bar on a terminal, a line every few seconds otherwise); the summary
/// goes to stdout as tab-separated name/value lines.
/// </summary>
public static class BulkCommands
{
    private static readonly Option<string> Profile = new("--profile") { Description = "Certificate profile, e.g. personal-smartid", Required = true };
    private static readonly Option<string> In = new("--in") { Description = "Input file (JSON Lines for issue; one hex serial a line for revoke)", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "Output file: JSON Lines {cardNumber, serial, certificate}", Required = true };
    private static readonly Option<string?> Rejects = new("--rejects") { Description = "Reject file: JSON Lines {line, cardNumber|serial, error} (default: <out or in>.rejects.jsonl)" };
    private static readonly Option<string> Reason = new("--reason") { Description = "RFC 5280 reason, e.g. keyCompromise, superseded, cessationOfOperation", Required = true };
    private static readonly Option<int> Threads = new("--threads") { Description = "Signing threads (default: every core)" };
    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "Records per committed batch (default 1000 for issue, 5000 for revoke)" };

    public static Command Create()
    {
        var bulk = new Command("bulk", "Issue or revoke certificates from a file, resumably (smart ID card bureau files, incidents)");

        var issue = new Command("issue", "Issue certificates for a card personalisation bureau's JSON Lines file; run again with the same arguments to resume");
        issue.Options.Add(Profile);
        issue.Options.Add(In);
        issue.Options.Add(Out);
        issue.Options.Add(Rejects);
        issue.Options.Add(Threads);
        issue.Options.Add(BatchSize);
        issue.SetAction(parse => CommonOptions.Run(() =>
        {
            var instance = CommonOptions.OpenInstance(parse);
            var output = parse.GetValue(Out)!;
            var request = new BulkIssueRequest(parse.GetValue(Profile)!, parse.GetValue(In)!, output, parse.GetValue(Rejects) ?? output + ".rejects.jsonl",
                BatchSizeOr(parse, 1000), parse.GetValue(Threads));
            var summary = WithProgress("issue", "issued", (report, cancel) => new BulkIssuance(instance).Run(request, report, cancel));
            Print(summary, "issued", request.RejectPath);
            return 0;
        }));

        var revoke = new Command("revoke", "Revoke every certificate whose serial is listed (one hex serial a line); run again with the same arguments to resume");
        revoke.Options.Add(In);
        revoke.Options.Add(Reason);
        revoke.Options.Add(Rejects);
        revoke.Options.Add(BatchSize);
        revoke.SetAction(parse => CommonOptions.Run(() =>
        {
            var instance = CommonOptions.OpenInstance(parse);
            var input = parse.GetValue(In)!;
            var request = new BulkRevokeRequest(input, RevocationReasons.Parse(parse.GetValue(Reason)!), parse.GetValue(Rejects) ?? input + ".rejects.jsonl",
                BatchSizeOr(parse, 5000));
            var summary = WithProgress("revoke", "revoked", (report, cancel) => new BulkRevocation(instance).Run(request, report, cancel));
            Print(summary, "revoked", request.RejectPath);
            return 0;
        }));

        bulk.Subcommands.Add(issue);
        bulk.Subcommands.Add(revoke);
        return bulk;
    }

    /// <summary>The batch size given, checked by the job (1 to 100,000), or the default when none is given.</summary>
    private static int BatchSizeOr(ParseResult parse, int fallback) => parse.GetResult(BatchSize) is null ? fallback : parse.GetValue(BatchSize);

    /// <summary>Runs the job with a progress bar on a terminal, or plain progress lines on stderr; Ctrl+C stops after the batch in flight.</summary>
    private static BulkSummary WithProgress(string command, string verb, Func<Action<BulkProgress>, CancellationToken, BulkSummary> run)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("ecert: stopping after the batch in flight; run the same command again to resume");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (Console.IsErrorRedirected) return run(PlainLines(command, verb), cancel.Token);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            BulkSummary? summary = null;
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask($"bulk {command}", maxValue: 100);
                    summary = run(progress =>
                    {
                        task.Value = progress.BytesTotal > 0 ? 100.0 * progress.BytesRead / progress.BytesTotal : 100;
                        task.Description = $"line {progress.Lines:N0}: {verb} {progress.Done:N0}, rejected {progress.Rejected:N0}, {progress.RatePerSecond:N0}/s";
                    }, cancel.Token);
                    task.Value = 100;
                });
            return summary!;
        }
        catch (OperationCanceledException)
        {
            throw new Core.ECertException(Core.ErrorKind.Conflict, "stopped on request; run the same command again to resume where it stopped");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>A line on stderr at most every two seconds, and one at the end.</summary>
    private static Action<BulkProgress> PlainLines(string command, string verb)
    {
        var last = DateTime.MinValue;
        return progress =>
        {
            var done = progress.BytesRead >= progress.BytesTotal;
            if (!done && DateTime.UtcNow - last < TimeSpan.FromSeconds(2)) return;
            last = DateTime.UtcNow;
            var percent = progress.BytesTotal > 0 ? 100.0 * progress.BytesRead / progress.BytesTotal : 100;
            var remaining = progress.Remaining is { } r ? $", about {r:hh\\:mm\\:ss} left" : "";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bulk {command}: line {progress.Lines}, {verb} {progress.Done}, rejected {progress.Rejected}, {progress.RatePerSecond:0}/s, {percent:0.0}% of input{remaining}"));
        };
    }

    private static void Print(BulkSummary summary, string verb, string rejectPath)
    {
        Console.WriteLine($"job\t{summary.JobId}");
        Console.WriteLine($"lines\t{summary.Lines}");
        Console.WriteLine($"{verb}\t{summary.Done}");
        Console.WriteLine($"rejected\t{summary.Rejected}");
        Console.WriteLine($"runs\t{summary.Runs}");
        Console.WriteLine($"{verb}-this-run\t{summary.DoneThisRun}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds\t{summary.Elapsed.TotalSeconds:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rate\t{(summary.Elapsed.TotalSeconds > 0 ? summary.DoneThisRun / summary.Elapsed.TotalSeconds : 0):0}"));
        if (summary.AlreadyComplete) Console.Error.WriteLine($"ecert: bulk job {summary.JobId} was already complete; nothing was done");
        if (summary.Rejected > 0) Console.Error.WriteLine($"ecert: {summary.Rejected} line(s) were rejected; see {rejectPath}");
    }
}
