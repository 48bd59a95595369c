using System.CommandLine;
using ECert.Core.Service;
using ECert.Core.Status;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert request ...</c>: revocation, suspension and resumption requests as received, and their turnaround.</summary>
public static class StatusRequestCommands
{
    public static Command Create()
    {
        var serial = Required<string>("--serial", "Certificate serial");
        var action = Required<string>("--action", "revoke, suspend or resume");
        var channel = Required<string>("--channel", "counter, signed-email, letter, fax, phone or online");
        var requester = Required<string>("--requester", "SRN of who asks (the subscriber, or an organisation's Authorised Representative)");
        var reason = Optional<string?>("--reason", "Revocation reason (RFC 5280 name)");
        var note = Optional<string?>("--note", "Free text kept with the request");
        var officer = Optional<string?>("--officer", "RA officer taking a counter request");
        var outlet = Optional<string?>("--outlet", "Outlet of a counter request");
        var overrideBy = Optional<string?>("--override-by", "Supervisor overriding service hours");
        var receive = Verb("receive", "Record a request and carry it out (a revocation by fax, phone or online form waits for its confirmation)",
            [serial, action, channel, requester, reason, note, officer, outlet, overrideBy], (parse, instance) =>
            {
                var verb = parse.GetValue(action) switch
                {
                    "revoke" => StatusAction.Revoke,
                    "suspend" => StatusAction.Suspend,
                    "resume" => StatusAction.Resume,
                    var other => throw Core.ECertException.Invalid($"--action '{other}' is not revoke, suspend or resume"),
                };
                var request = instance.StatusRequestService().Receive(parse.GetValue(serial)!, verb, StatusRequest.ParseChannel(parse.GetValue(channel)!),
                    parse.GetValue(requester)!, parse.GetValue(reason) is { } r ? RevocationReasons.Parse(r) : null, parse.GetValue(note),
                    parse.GetValue(officer), parse.GetValue(outlet), parse.GetValue(overrideBy));
                Row(request.Id, request.State, request.Serial, request.ReceivedAt, request.DoneAt);
            });

        var id = Required<string>("--id", "Request id, e.g. REQ-2026-000001");
        var confirm = Verb("confirm-original", "The signed original of a faxed revocation arrived: revoke now", [id], (parse, instance) =>
        {
            var request = instance.StatusRequestService().ConfirmOriginal(parse.GetValue(id)!);
            Row(request.Id, request.State, request.Serial, request.ReceivedAt, request.DoneAt);
        });

        var from = Required<string>("--from", "First day (Hong Kong time)");
        var until = Required<string>("--until", "Last day, inclusive");
        var turnaround = Verb("turnaround", "Requests received in a period, done and pending, median and longest time to done", [from, until], (parse, instance) =>
        {
            var first = ParseDate(parse.GetValue(from)!, "--from");
            var last = ParseDate(parse.GetValue(until)!, "--until");
            if (last < first) throw Core.ECertException.Invalid($"--until {last:yyyy-MM-dd} is before --from {first:yyyy-MM-dd}");
            var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
            var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
            var report = instance.StatusRequestService().Turnaround(start, end);
            Row("requests", report.Requests);
            Row("done", report.Done);
            Row("pending", report.Pending);
            Row("median-seconds", report.Median?.TotalSeconds);
            Row("longest-seconds", report.Longest?.TotalSeconds);
        });
        return Group("request", "Revocation, suspension and resumption requests", receive, confirm, turnaround);
    }
}
