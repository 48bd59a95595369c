using System.CommandLine;
using ECert.Core;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert privacy ...</c>: data access and correction requests with their 40-day clock.</summary>
public static class PrivacyCommands
{
    public static Command Create()
    {
        var srn = Required<string>("--srn", "Subscriber Reference Number");
        var kind = WithDefault("--kind", "access or correction", "access");
        var note = Optional<string?>("--note", "How the request came in");
        var open = Verb("request", "Open a data access or correction request; prints its id and due date (40 days)", [srn, kind, note], (parse, instance) =>
        {
            var request = instance.DataAccess().Open(parse.GetValue(srn)!, parse.GetValue(kind)!, parse.GetValue(note));
            Row(request.Id, request.Kind, request.Srn, request.ReceivedAt, request.DueAt);
        });

        var id = Required<string>("--id", "Data request id, e.g. DAR-2026-000001");
        var output = Required<DirectoryInfo>("--out", "Folder to write <id>.json and <id>.txt into");
        var compile = Verb("compile", "Write the subscriber's complete data as JSON and as a readable document", [id, output], (parse, instance) =>
        {
            var folder = parse.GetValue(output)!;
            if (!folder.Exists) throw ECertException.Invalid($"folder {folder.FullName} does not exist");
            var (_, json, document) = instance.DataAccess().Compile(parse.GetValue(id)!, instance.Actor with { Purpose = "data-access-request" });
            var jsonFile = new PendingFile(new FileInfo(Path.Combine(folder.FullName, parse.GetValue(id) + ".json")));
            var textFile = new PendingFile(new FileInfo(Path.Combine(folder.FullName, parse.GetValue(id) + ".txt")));
            jsonFile.WriteTemporary(System.Text.Encoding.UTF8.GetBytes(json));
            textFile.WriteTemporary(System.Text.Encoding.UTF8.GetBytes(document));
            jsonFile.Commit();
            textFile.Commit();
            Row(parse.GetValue(id), Path.Combine(folder.FullName, parse.GetValue(id) + ".json"), Path.Combine(folder.FullName, parse.GetValue(id) + ".txt"));
        });

        var complete = Verb("complete", "Record that the request was answered", [id, note], (parse, instance) =>
        {
            var request = instance.DataAccess().Complete(parse.GetValue(id)!, parse.GetValue(note));
            Row(request.Id, "completed", request.CompletedAt, request.DueAt);
        });

        var field = Required<string>("--field", "contact-email, postal-address or chinese-name");
        var value = Optional<string?>("--value", "The corrected value (empty to clear)");
        var correct = Verb("correct", "Correct a contact detail, free of charge; the correction is recorded", [srn, field, value], (parse, instance) =>
        {
            var corrected = instance.DataAccess().Correct(parse.GetValue(srn)!, parse.GetValue(field)!, parse.GetValue(value), instance.Actor);
            Row(corrected.Srn, parse.GetValue(field), "corrected");
        });

        var overdue = Verb("overdue", "Open requests past their 40 days: id, kind, SRN, received, due", [], (_, instance) =>
        {
            foreach (var r in instance.DataAccess().Overdue()) Row(r.Id, r.Kind, r.Srn, r.ReceivedAt, r.DueAt);
        });
        var pending = Verb("open", "All open requests: id, kind, SRN, received, due", [], (_, instance) =>
        {
            foreach (var r in instance.DataAccess().Open()) Row(r.Id, r.Kind, r.Srn, r.ReceivedAt, r.DueAt);
        });
        return Group("privacy", "Data access and correction requests", open, compile, complete, correct, overdue, pending);
    }

    public static Command Retention()
    {
        var dryRun = Optional<bool>("--dry-run", "Report what would be anonymised, change nothing");
        var run = Verb("run", "Anonymise personal data past the retention period; prints one line per subscriber, one per bulk job of smart ID card certificates, and a total",
            [dryRun], (parse, instance) =>
        {
            var report = instance.Retention().Run(parse.GetValue(dryRun), instance.Actor with { Purpose = "retention" });
            var done = report.DryRun ? "would-anonymise" : "anonymised";
            foreach (var candidate in report.Anonymised) Row(candidate.Srn, candidate.LastActivity, done);
            foreach (var job in report.BulkAnonymised) Row($"bulk-job:{job.JobId}", job.LastExpiry, done, $"certificates={job.Certificates}");
            Row("total", report.Anonymised.Count, report.DryRun ? "dry-run" : "done", $"cutoff={report.Cutoff:yyyy-MM-dd}",
                $"bulk-certificates={report.BulkAnonymised.Sum(j => j.Certificates)}");
        });
        return Group("retention", "The retention schedule for personal data", run);
    }
}
