using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Profiles;
using ECert.Core.Service;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert application ...</c>: the counter flow. submit -> verify -> (approve) -> pay -> issue ->
/// accept; renew for a certificate in its renewal window.
/// </summary>
public static class ApplicationCommands
{
    public static Command Create()
    {
        var id = Required<string>("--id", "Application id, e.g. APP-2026-000001");

        var srn = Required<string>("--srn", "Subscriber Reference Number");
        var profile = Required<string>("--profile", "personal, personal-smartid, organisational, encipherment or server");
        var channel = WithDefault("--channel", "online (pre-registration) or counter", "counter");
        var term = WithDefault("--term", "Subscription term in years", 1);
        var dns = Optional<string[]>("--dns", "DNS name for a server application (repeatable)");
        var usb = Optional<bool>("--usb", "Deliver the PKCS#12 on a USB medium (surcharge)");
        var extra = WithDefault("--extra-servers", "Extra servers for a server certificate (surcharge each)", 0);
        var submit = Verb("submit", "Submit an application; prints its id and fee", [srn, profile, channel, term, dns, usb, extra], (parse, instance) =>
        {
            var service = instance.ApplicationService();
            var application = service.Submit(new SubmitRequest(parse.GetValue(srn)!, parse.GetValue(profile)!, ParseChannel(parse.GetValue(channel)!),
                parse.GetValue(term), parse.GetValue(dns), parse.GetValue(usb), parse.GetValue(extra)));
            Row(application.Id, Application.StateName(application.State), service.QuoteFor(application).Total);
        });

        var serial = Required<string>("--serial", "Serial of the certificate to renew");
        var renew = Verb("renew", "Apply to renew a valid certificate inside its renewal window", [serial, channel, term], (parse, instance) =>
        {
            var service = instance.ApplicationService();
            var application = service.SubmitRenewal(parse.GetValue(serial)!, ParseChannel(parse.GetValue(channel)!), parse.GetValue(term));
            Row(application.Id, Application.StateName(application.State), service.QuoteFor(application).Total);
        });

        var officer = Required<string>("--officer", "RA officer id");
        var outlet = Required<string>("--outlet", "Outlet code");
        var document = Required<string>("--document", "Document checked: " + string.Join(", ", ApplicationService.DocumentTypes));
        var pinEnvelope = Optional<string?>("--pin-envelope", "PIN-envelope number handed over");
        var overrideBy = Optional<string?>("--override-by", "Supervisor overriding the outlet's service hours");
        var verify = Verb("verify", "Record the identity check at the counter", [id, officer, outlet, document, pinEnvelope, overrideBy], (parse, instance) =>
        {
            var application = instance.ApplicationService().VerifyIdentity(parse.GetValue(id)!, new IdentityCheck(parse.GetValue(officer)!,
                parse.GetValue(outlet)!, parse.GetValue(document)!, parse.GetValue(pinEnvelope), parse.GetValue(overrideBy)));
            Row(application.Id, Application.StateName(application.State), application.VerifiedBy, application.VerifiedOutlet, application.HoursOverrideBy);
        });

        var approver = Required<string>("--officer", "The approving officer (not the one who checked the documents)");
        var approve = Verb("approve", "Second officer's approval of an organisational or server application", [id, approver], (parse, instance) =>
        {
            var application = instance.ApplicationService().Approve(parse.GetValue(id)!, parse.GetValue(approver)!);
            Row(application.Id, Application.StateName(application.State), application.ApprovedBy);
        });

        var quote = Verb("quote", "The fee of an application under the tariff in force today, line by line", [id], (parse, instance) =>
        {
            var service = instance.ApplicationService();
            var result = service.QuoteFor(service.Get(parse.GetValue(id)!));
            foreach (var line in result.Lines) Row(line.Description, line.Amount);
            Row("total", result.Total, result.TariffCode);
        });

        var payChannel = Required<string>("--channel", "counter-cash, online or e-cheque");
        var amount = Required<string>("--amount", "Amount in HK$, e.g. 48.00");
        var payOfficer = Optional<string?>("--officer", "RA officer taking a counter payment");
        var payOutlet = Optional<string?>("--outlet", "Outlet of a counter payment");
        var reference = Optional<string?>("--reference", "Online transaction id, or the SRN on an e-cheque");
        var pay = Verb("pay", "Record the fee; prints the receipt number", [id, payChannel, amount, payOfficer, payOutlet, reference, overrideBy], (parse, instance) =>
        {
            var (application, payment) = instance.ApplicationService().Pay(parse.GetValue(id)!, PaymentOf(parse, payChannel, amount, payOfficer, payOutlet, reference, overrideBy));
            Row(payment.Receipt, payment.Amount, application.Id, Application.StateName(application.State));
        });

        var csr = Optional<FileInfo?>("--csr", "PKCS#10 request with the subscriber's public key");
        var generate = Optional<bool>("--generate-key", "Central key generation into --p12 (PIN on stderr)");
        var p12 = Optional<FileInfo?>("--p12", "Where to write the PKCS#12 with --generate-key");
        var smartCardKey = Optional<FileInfo?>("--public-key", "The smart ID card's public key (DER or PEM SubjectPublicKeyInfo)");
        var output = Required<FileInfo>("--out", "Where to write the certificate (PEM)");
        var issue = Verb("issue", "Issue the certificate of a paid application; prints the serial", [id, csr, generate, p12, smartCardKey, output], (parse, instance) =>
        {
            var service = instance.ApplicationService();
            var application = service.Get(parse.GetValue(id)!);
            using var delivery = KeyDelivery.From(parse.GetValue(csr), parse.GetValue(generate), parse.GetValue(p12), parse.GetValue(smartCardKey),
                ProfileFactory.Create(application.Profile, instance.Settings.Profiles).CentralKeyAlgorithm, parse.GetValue(output)!);
            var (_, issued) = service.Issue(application.Id, delivery.PublicKey);
            try
            {
                delivery.Deliver(issued, instance);
            }
            catch (IOException e)
            {
                // The undelivered certificate is revoked; the application is paid and can be issued again.
                service.ReturnToPaid(application.Id);
                throw new IOException($"{e.Message}; application {application.Id} is back to paid", e);
            }
            Row(issued.SerialHex, application.Id, "issued");
        });

        var accept = Verb("accept", "The subscriber accepts the certificate; it is then published", [id], (parse, instance) =>
        {
            var application = instance.ApplicationService().Accept(parse.GetValue(id)!);
            Row(application.Id, Application.StateName(application.State), application.Serial);
        });

        var reason = Required<string>("--reason", "Why");
        var withdraw = Verb("withdraw", "Withdraw an application that is not yet issued", [id, reason], (parse, instance) =>
        {
            var application = instance.ApplicationService().Withdraw(parse.GetValue(id)!, parse.GetValue(reason)!);
            Row(application.Id, Application.StateName(application.State));
        });

        var show = Verb("show", "Show an application", [id], (parse, instance) =>
        {
            var a = instance.ApplicationService().Get(parse.GetValue(id)!);
            Row("id", a.Id); Row("srn", a.Srn); Row("profile", a.Profile); Row("kind", a.Kind.ToString().ToLowerInvariant());
            Row("channel", a.Channel.ToString().ToLowerInvariant()); Row("state", Application.StateName(a.State)); Row("term-years", a.TermYears);
            Row("created", a.CreatedAt); Row("verified", a.VerifiedAt, a.VerifiedBy, a.VerifiedOutlet, a.DocumentType, a.PinEnvelope);
            Row("hours-override-by", a.HoursOverrideBy); Row("approved", a.ApprovedAt, a.ApprovedBy);
            Row("fee", a.Fee?.ToString(), a.TariffCode, a.Receipt); Row("serial", a.Serial); Row("issued", a.IssuedAt);
            Row("accepted", a.AcceptedAt); Row("closed", a.ClosedReason);
        });

        var rejecter = Required<string>("--officer", "The officer refusing the application");
        var reject = Verb("reject", "Refuse an unpaid application (documents not in order)", [id, rejecter, reason], (parse, instance) =>
        {
            var application = instance.ApplicationService().Reject(parse.GetValue(id)!, parse.GetValue(rejecter)!, parse.GetValue(reason)!);
            Row(application.Id, Application.StateName(application.State), application.ClosedReason);
        });

        var state = Optional<string?>("--state", "Only applications in this state");
        var bySrn = Optional<string?>("--srn", "Only this subscriber's applications");
        var list = Verb("list", "List applications: id, SRN, profile, state, created, serial", [state, bySrn], (parse, instance) =>
        {
            var filter = parse.GetValue(state) is { } s ? Application.ParseStateOrThrow(s) : (ApplicationState?)null;
            foreach (var a in instance.Applications.ListApplications(filter, parse.GetValue(bySrn)))
                Row(a.Id, a.Srn, a.Profile, Application.StateName(a.State), a.CreatedAt, a.Serial);
        });
        return Group("application", "Applications: submit, verify, approve, pay, issue, accept, renew",
            submit, renew, verify, approve, quote, pay, issue, accept, withdraw, reject, show, list);
    }

    internal static PaymentRequest PaymentOf(ParseResult parse, Option<string> channel, Option<string> amount, Option<string?> officer,
        Option<string?> outlet, Option<string?> reference, Option<string?> overrideBy) =>
        new(Payment.ParseChannel(parse.GetValue(channel)!), Money.Parse(parse.GetValue(amount), "--amount"),
            parse.GetValue(officer), parse.GetValue(outlet), parse.GetValue(reference), parse.GetValue(overrideBy));

    private static ApplicationChannel ParseChannel(string text) => text switch
    {
        "online" => ApplicationChannel.Online,
        "counter" => ApplicationChannel.Counter,
        _ => throw ECertException.Invalid($"--channel '{text}' is not online or counter"),
    };
}
