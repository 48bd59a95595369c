using System.CommandLine;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Service;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert tariff ...</c>, <c>ecert payment ...</c> and <c>ecert report ...</c>.</summary>
public static class BillingCommands
{
    public static Command Tariff()
    {
        var list = Verb("list", "Tariff versions and their prices: code, period, product, kind, years, fee, label", [], (_, instance) =>
        {
            foreach (var version in instance.Tariffs().Versions)
                foreach (var entry in version.Entries)
                    Row(version.Code, version.Period, entry.Product, entry.Kind.ToString().ToLowerInvariant(), entry.TermYears, entry.Fee, entry.Label);
        });

        var file = Required<FileInfo>("--file", "JSON: {code, effectiveFrom, effectiveUntil?, extraServerFee, usbMediumFee, entries: [{product, kind, termYears, fee, label?}]}");
        var add = Verb("add", "Add a tariff version (never overlapping another)", [file], (parse, instance) =>
        {
            var version = ReadVersion(parse.GetValue(file)!);
            instance.Tariffs().CheckCanAdd(version);
            instance.Applications.AddTariff(version);
            Row(version.Code, version.Period, version.Entries.Count);
        });

        var product = Required<string>("--product", string.Join(", ", TariffBook.Products));
        var kind = WithDefault("--kind", "first or renewal", "first");
        var years = WithDefault("--term", "Term in years", 1);
        var date = Optional<string?>("--date", "Date of the quote (default today, Hong Kong time)");
        var extra = WithDefault("--extra-servers", "Extra servers", 0);
        var usb = Optional<bool>("--usb", "PKCS#12 on a USB medium");
        var quote = Verb("quote", "The fee on a date, line by line", [product, kind, years, date, extra, usb], (parse, instance) =>
        {
            var on = parse.GetValue(date) is { } d ? ParseDate(d, "--date") : DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
            var result = instance.Tariffs().Quote(new QuoteRequest(parse.GetValue(product)!, ParseKind(parse.GetValue(kind)!), parse.GetValue(years),
                on, parse.GetValue(extra), parse.GetValue(usb)));
            foreach (var line in result.Lines) Row(line.Description, line.Amount);
            Row("total", result.Total, result.TariffCode);
        });
        var code = Required<string>("--code", "The open-ended version to end, e.g. HK-2023-07");
        var until = Required<string>("--until", "First day it no longer applies (in the future); add the next version from that day");
        var end = Verb("end", "End an open-ended tariff version, so a new one can start", [code, until], (parse, instance) =>
        {
            var ended = instance.Tariffs().CheckCanEnd(parse.GetValue(code)!, ParseDate(parse.GetValue(until)!, "--until"),
                ApplicationService.HongKongDateToday(instance.Time));
            if (!instance.Applications.EndTariff(ended.Code, ended.EffectiveUntil!.Value))
                throw ECertException.Conflict($"tariff '{ended.Code}' changed while this ran");
            Row(ended.Code, ended.Period);
        });
        return Group("tariff", "Versioned tariff tables and quotes", list, add, end, quote);
    }

    public static Command Payment()
    {
        var serial = Required<string>("--serial", "Certificate whose subscription is paid");
        var channel = Required<string>("--channel", "counter-cash, online or e-cheque");
        var amount = Required<string>("--amount", "Amount in HK$");
        var officer = Optional<string?>("--officer", "RA officer (counter payments)");
        var outlet = Optional<string?>("--outlet", "Outlet (counter payments)");
        var reference = Optional<string?>("--reference", "Online transaction id, or the SRN on an e-cheque");
        var overrideBy = Optional<string?>("--override-by", "Supervisor overriding service hours");
        var years = WithDefault("--years", "Years paid", 1);
        var subscription = Verb("subscription", "Pay a certificate's next subscription year; resumes a certificate suspended for non-payment",
            [serial, channel, amount, officer, outlet, reference, overrideBy, years], (parse, instance) =>
            {
                var (payment, period) = instance.Subscriptions().PaySubscription(parse.GetValue(serial)!,
                    ApplicationCommands.PaymentOf(parse, channel, amount, officer, outlet, reference, overrideBy), parse.GetValue(years));
                Row(payment.Receipt, payment.Amount, period.Serial, period.Starts, period.Ends);
            });

        var receipt = Required<string>("--receipt", "Receipt to refund");
        var refundAmount = Optional<string?>("--amount", "Part to refund (default: all that is left)");
        var reason = Required<string>("--reason", "Why");
        var refund = Verb("refund", "Refund all or part of a payment", [receipt, refundAmount, reason, officer, outlet], (parse, instance) =>
        {
            var value = parse.GetValue(refundAmount) is { } text ? Money.Parse(text, "--amount") : (Money?)null;
            var result = instance.Reports().Refund(parse.GetValue(receipt)!, value, parse.GetValue(reason)!, parse.GetValue(officer), parse.GetValue(outlet));
            Row(result.Receipt, result.Amount, "refund-of", result.RefundOf);
        });

        var from = Required<string>("--from", "First day (Hong Kong time)");
        var until = Optional<string?>("--until", "Last day, inclusive (default: the first day)");
        var list = Verb("list", "Payments and refunds: receipt, kind, at, SRN, product, channel, amount, outlet, officer, reference",
            [from, until], (parse, instance) =>
            {
                var first = ParseDate(parse.GetValue(from)!, "--from");
                var last = parse.GetValue(until) is { } u ? ParseDate(u, "--until") : first;
                if (last < first) throw ECertException.Invalid($"--until {last:yyyy-MM-dd} is before --from {first:yyyy-MM-dd}");
                var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
                var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
                foreach (var p in instance.Applications.ListPayments(start, end))
                    Row(p.Receipt, p.IsRefund ? "refund" : "payment", p.At, p.Srn, p.Product, ECert.Core.Service.Payment.ChannelName(p.Channel),
                        p.IsRefund ? (Money.Zero - p.Amount) : p.Amount, p.OutletCode, p.OfficerId, p.Reference);
            });
        return Group("payment", "Payments, subscriptions and refunds", subscription, refund, list);
    }

    public static Command Report()
    {
        var year = Required<int>("--year", "Calendar year (Hong Kong time)");
        var revenue = Verb("revenue", "Revenue per month and certificate type, net of refunds: month, product, payments, revenue", [year], (parse, instance) =>
        {
            var rows = instance.Reports().Revenue(parse.GetValue(year));
            foreach (var row in rows) Row($"{row.Year}-{row.Month:D2}", row.Product, row.Payments, row.Revenue);
            Row("total", "-", rows.Sum(r => r.Payments), rows.Aggregate(Money.Zero, (sum, r) => sum + r.Revenue));
        });
        var date = Required<string>("--date", "The day to reconcile (Hong Kong time)");
        var reconciliation = Verb("reconciliation", "Counter takings per outlet on a day: outlet, payments, taken, refunds, refunded, net", [date], (parse, instance) =>
        {
            foreach (var day in instance.Reports().DailyReconciliation(ParseDate(parse.GetValue(date)!, "--date")))
                Row(day.OutletCode, day.Payments, day.Taken, day.Refunds, day.Refunded, day.Net);
        });
        return Group("report", "Operator reports", revenue, reconciliation);
    }

    public static Command ServiceVerbs()
    {
        var sweep = Verb("sweep", "Acceptance timeouts, non-payment suspensions and revocations, renewal reminders (the server runs this itself)", [], (_, instance) =>
        {
            var report = instance.Subscriptions().Sweep();
            Row("acceptance-expired", report.AcceptanceExpired);
            Row("suspended-non-payment", report.SuspendedForNonPayment);
            Row("revoked-non-payment", report.RevokedForNonPayment);
            Row("reminders-queued", report.RemindersQueued);
        });
        var notify = new Command("notify", "Send queued mail (reminders, notices) through the SMTP relay now");
        notify.SetAction((parse, cancellation) => Task.FromResult(CommonOptions.Run(() =>
        {
            var report = CommonOptions.OpenInstance(parse).MailSender().SendDueAsync(1000, cancellation).GetAwaiter().GetResult();
            Row("sent", report.Sent);
            Row("failed", report.Failed);
            if (report.LastError is not null) Console.Error.WriteLine($"ecert: {report.LastError}");
            return report.Failed > 0 ? 75 : 0;
        })));
        return Group("service", "The service's periodic work", sweep, notify);
    }

    private static FeeKind ParseKind(string text) => text switch
    {
        "first" => FeeKind.First,
        "renewal" => FeeKind.Renewal,
        _ => throw ECertException.Invalid($"--kind '{text}' is not first or renewal"),
    };

    private sealed record EntryFile(string Product, string Kind, int TermYears, string Fee, string? Label);
    private sealed record VersionFile(string Code, string EffectiveFrom, string? EffectiveUntil, string ExtraServerFee, string UsbMediumFee, List<EntryFile> Entries, string? Description);

    private static TariffVersion ReadVersion(FileInfo file)
    {
        var text = InputFiles.ReadText(file, 1 << 20, "a tariff version");
        VersionFile? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<VersionFile>(text, new JsonSerializerOptions
            {
                PropertyNameCaseInsensitive = true,
                UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
            });
        }
        catch (JsonException e)
        {
            throw ECertException.Invalid($"{file.Name} is not a tariff version: {e.Message}");
        }
        if (parsed?.Entries is null || parsed.Code is null || parsed.EffectiveFrom is null)
            throw ECertException.Invalid($"{file.Name} needs code, effectiveFrom and entries");
        if (parsed.Entries.Any(e => e is null))
            throw ECertException.Invalid($"{file.Name}: 'entries' has a null element; leave it out or give a price");
        return new TariffVersion(parsed.Code, ParseDate(parsed.EffectiveFrom, "effectiveFrom"),
            parsed.EffectiveUntil is null ? null : ParseDate(parsed.EffectiveUntil, "effectiveUntil"),
            parsed.Entries.Select(e => new TariffEntry(e.Product, ParseKind(e.Kind), e.TermYears, Money.Parse(e.Fee, $"fee of {e.Product}"), e.Label)).ToList(),
            Money.Parse(parsed.ExtraServerFee ?? "0", "extraServerFee"), Money.Parse(parsed.UsbMediumFee ?? "0", "usbMediumFee"), parsed.Description);
    }
}
