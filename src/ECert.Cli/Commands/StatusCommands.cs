using System.CommandLine;
using System.Globalization;
using ECert.Core;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Cli.Commands;

/// <summary><c>ecert revoke | suspend | resume | status</c>: one durable status change each.</summary>
public static class StatusCommands
{
    private static readonly Option<string> Serial = new("--serial") { Description = "Certificate serial number (hex)", Required = true };
    private static readonly Option<string> Reason = new("--reason")
    {
        Description = "RFC 5280 reason: unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn",
        Required = true,
    };
    private static readonly Option<string?> InvalidityDate = new("--invalidity-date") { Description = "When the key was known or suspected compromised (ISO 8601)" };

    public static IEnumerable<Command> Create()
    {
        var revoke = new Command("revoke", "Revoke a certificate (final)");
        revoke.Options.Add(Serial);
        revoke.Options.Add(Reason);
        revoke.Options.Add(InvalidityDate);
        revoke.SetAction(parse => CommonOptions.Run(() =>
        {
            var reason = RevocationReasons.Parse(parse.GetValue(Reason)!);
            var invalidity = ParseDate(parse.GetValue(InvalidityDate));
            Print(CommonOptions.OpenInstance(parse).Status().Revoke(parse.GetValue(Serial)!, reason, invalidity));
            return 0;
        }));

        var suspend = new Command("suspend", "Suspend a certificate (certificateHold); undo with resume");
        suspend.Options.Add(Serial);
        suspend.SetAction(parse => CommonOptions.Run(() =>
        {
            Print(CommonOptions.OpenInstance(parse).Status().Suspend(parse.GetValue(Serial)!));
            return 0;
        }));

        var resume = new Command("resume", "Resume a suspended certificate");
        resume.Options.Add(Serial);
        resume.SetAction(parse => CommonOptions.Run(() =>
        {
            Print(CommonOptions.OpenInstance(parse).Status().Resume(parse.GetValue(Serial)!));
            return 0;
        }));

        var status = new Command("status", "Show a certificate's status");
        status.Options.Add(Serial);
        status.SetAction(parse => CommonOptions.Run(() =>
        {
            Print(CommonOptions.OpenInstance(parse).Status().Get(parse.GetValue(Serial)!));
            return 0;
        }));
        return [revoke, suspend, resume, status];
    }

    /// <summary>One line of tab-separated fields: serial, state, reason, since, profile, CA, partition, notAfter.</summary>
    private static void Print(CertificateRecord record)
    {
        var state = record.State switch
        {
            CertificateState.Valid => "valid",
            CertificateState.Suspended => "suspended",
            CertificateState.Revoked => "revoked",
            _ => record.State.ToString().ToLowerInvariant(),
        };
        var reason = record.Reason?.Name() ?? "-";
        var since = (record.RevokedAt ?? record.StatusChangedAt ?? record.NotBefore).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Join('\t', record.SerialHex, state, reason, since, record.Profile, record.CaSlug,
            record.Partition.ToString(CultureInfo.InvariantCulture), record.NotAfter.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
    }

    private static DateTimeOffset? ParseDate(string? text)
    {
        if (text is null) return null;
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"];
        return DateTimeOffset.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : throw ECertException.Invalid($"--invalidity-date '{text}' is not an ISO 8601 date or date and time, e.g. 2026-11-28 or 2026-11-28T09:00:00Z");
    }
}
