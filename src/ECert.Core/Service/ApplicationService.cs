using System.Security.Cryptography.X509Certificates;
using ECert.Core.Billing;
using ECert.Core.Issuance;
using ECert.Core.Settings;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Core.Service;

/// <summary>What an applicant asks for (online pre-registration or at the counter).</summary>
public sealed record SubmitRequest(
    string Srn,
    string Profile,
    ApplicationChannel Channel,
    int TermYears = 1,
    IReadOnlyList<string>? DnsNames = null,
    bool UsbMedium = false,
    int ExtraServers = 0);

/// <summary>The RA officer's identity check at an outlet, as recorded with the application.</summary>
public sealed record IdentityCheck(string OfficerId, string OutletCode, string DocumentType, string? PinEnvelope = null, string? OverrideBy = null);

/// <summary>A payment as taken: channel, amount, and who and where for counter payments.</summary>
public sealed record PaymentRequest(PaymentChannel Channel, Money Amount, string? OfficerId = null, string? OutletCode = null, string? Reference = null, string? OverrideBy = null);

/// <summary>
/// The life of an application, from submission to an accepted certificate. Each step checks the
/// state it starts from and writes with compare-and-set, so a step done twice, or by two officers
/// at once, is refused and changes nothing. See docs/service.md.
/// </summary>
public sealed class ApplicationService(
    IApplicationStore applications,
    ISubscriberStore subscribers,
    IOutletStore outlets,
    ICertificateStore certificates,
    CertificateIssuer issuer,
    CertificateStatusService status,
    CaSettings settings,
    CounterPolicy counter,
    TimeProvider time,
    Privacy.IPersonalDataLog? reads = null)
{
    private readonly Privacy.IPersonalDataLog _reads = reads ?? Privacy.NoPersonalDataLog.Instance;

    public static readonly IReadOnlyList<string> DocumentTypes =
        ["hkid-card", "passport", "br-certificate", "authorisation-letter", "e-cert"];

    public Application Get(string id) =>
        applications.FindApplication(id.Trim()) ?? throw ECertException.NotFound($"no application {id}");

    public Application Submit(SubmitRequest request)
    {
        var subscriber = subscribers.FindSubscriber(request.Srn) ?? throw ECertException.NotFound($"no subscriber with SRN {request.Srn}");
        var expected = subscriber.Kind switch
        {
            SubscriberKind.Person => new[] { "personal", "personal-smartid" },
            SubscriberKind.AuthorisedUser => ["organisational"],
            SubscriberKind.AuthorisedUnit => ["encipherment"],
            _ => ["server"],
        };
        if (!expected.Contains(request.Profile))
            throw ECertException.Invalid($"a {Subscriber.KindName(subscriber.Kind)} applies for {string.Join(" or ", expected)}, not {request.Profile}");
        if (request.TermYears is < 1 or > 3)
            throw ECertException.Invalid($"a term of {request.TermYears} years is not offered; terms are 1 to 3 years");
        if (request.ExtraServers is < 0 or > 100)
            throw ECertException.Invalid("the number of extra servers must be between 0 and 100");
        var dns = request.DnsNames ?? [];
        if (request.Profile == "server" && dns.Count == 0)
            throw ECertException.Invalid("a server application needs at least one DNS name");
        if (request.Profile != "server" && (dns.Count > 0 || request.ExtraServers > 0))
            throw ECertException.Invalid("DNS names and extra servers apply only to server applications");
        var dnsNames = dns.Select(n => DnsNames.Check(n, allowWildcard: true)).Distinct().ToList();
        var now = time.GetUtcNow();
        var application = new Application
        {
            Id = applications.NextApplicationId(HongKongDate(now).Year),
            Srn = subscriber.Srn,
            Profile = request.Profile,
            Kind = FeeKind.First,
            Channel = request.Channel,
            State = ApplicationState.Submitted,
            TermYears = request.TermYears,
            DnsNames = dnsNames,
            UsbMedium = request.UsbMedium,
            ExtraServers = request.ExtraServers,
            CreatedAt = now,
        };
        QuoteFor(application); // refuse at once a term or product the tariff does not price
        CheckSubject(subscriber, application);
        applications.AddApplication(application);
        return application;
    }

    /// <summary>
    /// A renewal of a still-valid certificate inside its renewal window. The subscriber is
    /// authenticated by that certificate, so the application starts identity-verified; it keeps the SRN
    /// and needs a new key.
    /// </summary>
    public Application SubmitRenewal(string serial, ApplicationChannel channel, int termYears = 1)
    {
        if (termYears is < 1 or > 3)
            throw ECertException.Invalid($"a term of {termYears} years is not offered; terms are 1 to 3 years");
        var certificate = status.Get(serial);
        var now = time.GetUtcNow();
        if (certificate.State != CertificateState.Valid)
            throw ECertException.Conflict($"certificate {certificate.SerialHex} is {CertificateStatusService.Describe(certificate)}; only a valid certificate can be renewed");
        if (certificate.NotAfter <= now)
            throw ECertException.Conflict($"certificate {certificate.SerialHex} expired on {certificate.NotAfter:yyyy-MM-dd}; apply for a new one");
        var opens = certificate.NotAfter.AddDays(-settings.Service.RenewalWindow(certificate.Profile));
        if (now < opens)
            throw ECertException.Conflict($"renewal of {certificate.SerialHex} opens on {HongKongDate(opens):yyyy-MM-dd}, {settings.Service.RenewalWindow(certificate.Profile)} days before it expires");
        if (applications.ListApplications(srn: certificate.Srn).Any(a => a.RenewsSerial == certificate.SerialHex && a.State is not (ApplicationState.Rejected or ApplicationState.Withdrawn or ApplicationState.Expired)))
            throw ECertException.Conflict($"certificate {certificate.SerialHex} already has a renewal application");
        var previous = applications.ListApplications(srn: certificate.Srn).FirstOrDefault(a => a.Serial == certificate.SerialHex);
        var application = new Application
        {
            Id = applications.NextApplicationId(HongKongDate(now).Year),
            Srn = certificate.Srn,
            Profile = certificate.Profile,
            Kind = FeeKind.Renewal,
            Channel = channel,
            State = ApplicationState.IdentityVerified,
            TermYears = termYears,
            DnsNames = previous?.DnsNames ?? [],
            ExtraServers = previous?.ExtraServers ?? 0,
            RenewsSerial = certificate.SerialHex,
            CreatedAt = now,
            VerifiedAt = now,
            DocumentType = "e-cert",
        };
        QuoteFor(application);
        CheckSubject(subscribers.FindSubscriber(certificate.Srn) ?? throw ECertException.NotFound($"no subscriber with SRN {certificate.Srn}"), application);
        applications.AddApplication(application);
        return application;
    }

    public Application VerifyIdentity(string id, IdentityCheck check)
    {
        var application = Get(id);
        Expect(application, ApplicationState.Submitted, "have its identity verified");
        if (!DocumentTypes.Contains(check.DocumentType))
            throw ECertException.Invalid($"document type '{check.DocumentType}' is not one of {string.Join(", ", DocumentTypes)}");
        if (check.PinEnvelope is { } pin && (pin.Length is < 6 or > 20 || !pin.All(char.IsAsciiLetterOrDigit)))
            throw ECertException.Invalid($"PIN envelope number '{pin}' must be 6 to 20 letters or digits");
        var context = Counter(check.OfficerId, check.OutletCode, ServiceOf(application), check.OverrideBy);
        return Save(application with
        {
            State = ApplicationState.IdentityVerified,
            VerifiedBy = context.OfficerId,
            VerifiedOutlet = context.OutletCode,
            VerifiedAt = context.At,
            DocumentType = check.DocumentType,
            PinEnvelope = check.PinEnvelope,
            HoursOverrideBy = context.OverriddenBy,
        }, application.State);
    }

    /// <summary>The second officer's approval of an organisational or server application.</summary>
    public Application Approve(string id, string officerId)
    {
        var application = Get(id);
        if (application.State == ApplicationState.Approved)
            throw ECertException.Conflict($"application {application.Id} was already approved by {application.ApprovedBy}");
        if (!application.NeedsApproval || application.Kind == FeeKind.Renewal)
            throw ECertException.Conflict($"application {application.Id} ({application.Profile}, {application.Kind.ToString().ToLowerInvariant()}) needs no approval");
        Expect(application, ApplicationState.IdentityVerified, "be approved");
        var officer = Officer(officerId);
        if (!officer.Active) throw ECertException.Policy($"officer {officer.Id} is not active");
        if (officer.Id == application.VerifiedBy)
            throw ECertException.Policy($"officer {officer.Id} checked this application's documents; a second, different officer must approve it");
        return Save(application with { State = ApplicationState.Approved, ApprovedBy = officer.Id, ApprovedAt = time.GetUtcNow() }, application.State);
    }

    public Quote QuoteFor(Application application, DateOnly? on = null)
    {
        if (PaidReissueUntil(application) is { } until)
            return new Quote("subscription", new QuoteRequest(application.Product, application.Kind, application.TermYears, on ?? HongKongDate(time.GetUtcNow())),
                [new QuoteLine($"re-issue within the subscription paid until {HongKongDate(until):yyyy-MM-dd}", Money.Zero)]);
        return new TariffBook(applications.ListTariffs()).Quote(new QuoteRequest(application.Product, application.Kind, application.TermYears,
            on ?? HongKongDate(time.GetUtcNow()), application.ExtraServers, application.UsbMedium));
    }

    /// <summary>
    /// A server certificate (at most 199 days) inside a yearly subscription that outlives it is
    /// re-issued free until the subscription ends: returns that date, or null when a renewal is paid.
    /// </summary>
    private DateTimeOffset? PaidReissueUntil(Application application)
    {
        if (application.Profile != "server" || application.RenewsSerial is not { } old) return null;
        var periods = applications.ListPeriods(old);
        var certificate = certificates.FindCertificate(old);
        if (periods.Count == 0 || certificate is null) return null;
        var paidUntil = periods.Max(p => p.Ends);
        return paidUntil > certificate.NotAfter.AddDays(1) ? paidUntil : null;
    }

    public (Application Application, Payment Payment) Pay(string id, PaymentRequest request)
    {
        var application = Get(id);
        var payable = application.NeedsApproval && application.Kind == FeeKind.First ? ApplicationState.Approved : ApplicationState.IdentityVerified;
        if (application.State == ApplicationState.Paid)
            throw ECertException.Conflict($"application {application.Id} is already paid (receipt {application.Receipt})");
        Expect(application, payable, "be paid");
        var quote = QuoteFor(application);
        var payment = TakePayment(request, application.Srn, application.Product, quote.Total, application.Id, null);
        var paid = application with { State = ApplicationState.Paid, Fee = quote.Total, TariffCode = quote.TariffCode };
        var recorded = applications.RecordPayment(payment, paid, application.State)
            ?? throw ECertException.Conflict($"application {application.Id} changed while the payment was recorded; nothing was charged");
        return (paid with { Receipt = recorded.Receipt }, recorded);
    }

    /// <summary>
    /// Checks a payment against the fee and the channel's rules; the store gives it its receipt
    /// number when it records it. Shared with subscription payments.
    /// </summary>
    internal Payment TakePayment(PaymentRequest request, string srn, string product, Money fee, string? applicationId, string? serial)
    {
        if (request.Amount != fee)
            throw ECertException.Invalid($"the fee is {fee.Display}; {request.Amount.Display} was offered");
        string? outlet = null, officer = null;
        switch (request.Channel)
        {
            case PaymentChannel.CounterCash:
                if (request.OfficerId is null || request.OutletCode is null)
                    throw ECertException.Invalid("a counter payment needs the officer and the outlet");
                var context = Counter(request.OfficerId, request.OutletCode, "payment", request.OverrideBy);
                (outlet, officer) = (context.OutletCode, context.OfficerId);
                break;
            case PaymentChannel.ECheque when request.Reference != srn:
                throw ECertException.Invalid($"an e-cheque must carry the SRN {srn} as its reference");
            case PaymentChannel.Online when string.IsNullOrWhiteSpace(request.Reference):
                throw ECertException.Invalid("an online payment needs the payment gateway's transaction reference");
        }
        var now = time.GetUtcNow();
        return new Payment
        {
            Receipt = "",
            IsRefund = false,
            Srn = srn,
            ApplicationId = applicationId,
            Serial = serial,
            Product = product,
            Channel = request.Channel,
            Amount = fee,
            OutletCode = outlet,
            OfficerId = officer,
            Reference = request.Reference?.Trim(),
            At = now,
        };
    }

    /// <summary>
    /// Issues the certificate of a paid application through the CA core (unpublished until the
    /// subscriber accepts it) and opens its first subscription period.
    /// </summary>
    public (Application Application, IssuedCertificate Certificate) Issue(string id, PublicKey publicKey)
    {
        var application = Get(id);
        Expect(application, ApplicationState.Paid, "be issued");
        if (RefundedPart(application.Receipt!) > Money.Zero)
            throw ECertException.Conflict($"the fee of application {application.Id} was refunded (receipt {application.Receipt}); it cannot be issued");
        var subscriber = subscribers.FindSubscriber(application.Srn)!;
        _reads.Read(subscriber.Srn, application.Kind == FeeKind.Renewal ? "renewal" : "issuance");
        if (application.RenewsSerial is { } renewed)
        {
            var old = certificates.FindCertificate(renewed)!;
            if (old.State != CertificateState.Valid || old.NotAfter <= time.GetUtcNow())
                throw ECertException.Conflict($"the certificate being renewed ({renewed}) is no longer valid ({CertificateStatusService.Describe(old)}, expires {old.NotAfter:yyyy-MM-dd}); apply for a new certificate and refund this renewal");
            using var oldCertificate = X509CertificateLoader.LoadCertificate(old.Der!);
            if (oldCertificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey.ExportSubjectPublicKeyInfo()))
                throw ECertException.Policy("a renewal needs a new key pair; this key is the one being renewed");
        }
        // Organisational and Encipherment e-Certs are valid for the term bought; Personal ones stay
        // three years, paid year by year; Server ones follow the TLS limit within a yearly subscription.
        var now = time.GetUtcNow();
        int? validity = application.Profile is "organisational" or "encipherment"
            ? (int)Math.Round((now.AddYears(application.TermYears) - now).TotalDays)
            : null;
        // A certificate left by an earlier attempt that stopped between signing and recording is an
        // orphan nobody received: revoke it before issuing again.
        foreach (var orphan in applications.ListCertificatesOfApplication(application.Id))
            if (certificates.FindCertificate(orphan) is { State: CertificateState.Valid or CertificateState.Suspended } left)
                status.Revoke(left.SerialHex, RevocationReason.Superseded);

        var issued = issuer.Issue(new IssuanceRequest(application.Profile, publicKey, Details(subscriber, application), Publish: false,
            ValidityDays: validity, ApplicationId: application.Id));
        var record = certificates.FindCertificate(issued.SerialHex)!;
        var done = application with { State = ApplicationState.Issued, Serial = issued.SerialHex, IssuedAt = time.GetUtcNow() };
        // The subscription runs for the term paid; only a server certificate's may outlive the
        // certificate itself (it is re-issued free within the subscription).
        var ends = PaidReissueUntil(application) ?? record.NotBefore.AddYears(application.TermYears);
        if (application.Profile != "server" && ends > record.NotAfter) ends = record.NotAfter;
        if (!applications.RecordIssuance(done, new SubscriptionPeriod(issued.SerialHex, record.NotBefore, ends, application.Receipt), application.State))
        {
            status.Revoke(issued.SerialHex, RevocationReason.Superseded);
            throw ECertException.Conflict($"application {application.Id} was issued by someone else meanwhile; this duplicate certificate was revoked");
        }
        return (done, issued);
    }

    /// <summary>The subscriber confirms the certificate's content; only then is it published.</summary>
    public Application Accept(string id)
    {
        var application = Get(id);
        if (application.State == ApplicationState.Accepted)
            throw ECertException.Conflict($"application {application.Id} was already accepted");
        Expect(application, ApplicationState.Issued, "be accepted");
        if (application.IssuedAt!.Value.AddDays(settings.Service.AcceptanceDays) <= time.GetUtcNow())
            throw ECertException.Conflict($"the {settings.Service.AcceptanceDays}-day acceptance period of application {application.Id} has ended");
        var certificate = certificates.FindCertificate(application.Serial!)!;
        if (certificate.State == CertificateState.Revoked)
            throw ECertException.Conflict($"certificate {certificate.SerialHex} was revoked before it was accepted; it will not be published");
        // Published first: a crash in between leaves a published certificate whose acceptance is
        // simply recorded again, never an accepted one that stays unpublished.
        certificates.Publish(application.Serial!);
        return Save(application with { State = ApplicationState.Accepted, AcceptedAt = time.GetUtcNow() }, application.State);
    }

    public Application Withdraw(string id, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw ECertException.Invalid("a withdrawal needs a reason");
        var application = Get(id);
        if (application.State is ApplicationState.Issued or ApplicationState.Accepted or ApplicationState.Expired or ApplicationState.Rejected or ApplicationState.Withdrawn)
            throw ECertException.Conflict($"application {application.Id} is {Application.StateName(application.State)} and can no longer be withdrawn");
        if (application.State == ApplicationState.Paid && RefundedPart(application.Receipt!) < application.Fee!.Value)
            throw ECertException.Conflict($"application {application.Id} is paid; refund receipt {application.Receipt} in full first, then withdraw");
        return Save(application with { State = ApplicationState.Withdrawn, ClosedReason = reason }, application.State);
    }

    /// <summary>An officer refuses an application that is not yet paid (documents not in order, say).</summary>
    public Application Reject(string id, string officerId, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw ECertException.Invalid("a rejection needs a reason");
        var application = Get(id);
        if (application.State is not (ApplicationState.Submitted or ApplicationState.IdentityVerified or ApplicationState.Approved))
            throw ECertException.Conflict($"application {application.Id} is {Application.StateName(application.State)}; only an unpaid application can be rejected");
        var officer = Officer(officerId);
        if (!officer.Active) throw ECertException.Policy($"officer {officer.Id} is not active");
        return Save(application with { State = ApplicationState.Rejected, ClosedReason = $"rejected by {officer.Id}: {reason.Trim()}" }, application.State);
    }

    /// <summary>
    /// After a certificate could not be delivered and was revoked: the application goes back to
    /// paid, so it can be issued again without charging twice.
    /// </summary>
    public Application ReturnToPaid(string id)
    {
        var application = Get(id);
        Expect(application, ApplicationState.Issued, "go back to paid");
        return Save(application with { State = ApplicationState.Paid, Serial = null, IssuedAt = null }, application.State);
    }

    private Money RefundedPart(string receipt)
    {
        var original = applications.FindPayment(receipt);
        return original is null ? Money.Zero : applications.ListPayments(original.At, DateTimeOffset.MaxValue)
            .Where(p => p.IsRefund && p.RefundOf == receipt).Aggregate(Money.Zero, (sum, p) => sum + p.Amount);
    }

    /// <summary>
    /// Builds the subject the certificate would carry, so that a record the certificate rules refuse
    /// (one stored before a rule was added, say) stops the application before anything is paid.
    /// </summary>
    private void CheckSubject(Subscriber subscriber, Application application)
    {
        try
        {
            SubjectBuilder.Build(Profiles.ProfileFactory.Create(application.Profile, settings.Profiles), Details(subscriber, application), subscriber.Srn);
        }
        catch (ECertException e) when (e.Kind == ErrorKind.InvalidInput)
        {
            throw ECertException.Policy($"subscriber {subscriber.Srn}'s record cannot go into a certificate ({e.Message}); correct the record before applying");
        }
    }

    private SubjectDetails Details(Subscriber subscriber, Application application)
    {
        var organisation = subscriber.BrNumber is null ? null : subscribers.FindOrganisation(subscriber.BrNumber);
        return subscriber.Kind switch
        {
            SubscriberKind.Person => new SubjectDetails { Name = subscriber.Name, IdentityDigest = subscriber.IdentityHash, Email = subscriber.CertificateEmail, Srn = subscriber.Srn },
            SubscriberKind.AuthorisedUser => new SubjectDetails
            {
                Name = subscriber.Name, Organisation = organisation!.Name, OrganisationUnit = subscriber.OrgUnit,
                BrNumber = organisation.BrNumber, Email = subscriber.CertificateEmail, Srn = subscriber.Srn,
            },
            SubscriberKind.AuthorisedUnit => new SubjectDetails
            {
                Organisation = organisation!.Name, OrganisationUnit = subscriber.OrgUnit, BrNumber = organisation.BrNumber,
                Email = subscriber.CertificateEmail, Srn = subscriber.Srn,
            },
            _ => new SubjectDetails { Organisation = organisation!.Name, BrNumber = organisation.BrNumber, DnsNames = application.DnsNames, Srn = subscriber.Srn },
        };
    }

    private CounterContext Counter(string officerId, string outletCode, string service, string? overrideBy)
    {
        var outlet = outlets.FindOutlet(outletCode) ?? throw ECertException.NotFound($"no outlet {outletCode}");
        return counter.Authorise(Officer(officerId), outlet, service, time.GetUtcNow(), overrideBy is null ? null : Officer(overrideBy));
    }

    private RaOfficer Officer(string id) => outlets.FindOfficer(id) ?? throw ECertException.NotFound($"no RA officer {id}");

    private static string ServiceOf(Application application) => application.Kind == FeeKind.Renewal ? "renewal" : application.Profile switch
    {
        "personal" or "personal-smartid" => "personal",
        "server" => "server",
        _ => "organisational",
    };

    private static void Expect(Application application, ApplicationState state, string what)
    {
        if (application.State != state)
            throw ECertException.Conflict($"application {application.Id} is {Application.StateName(application.State)}; it must be {Application.StateName(state)} to {what}");
    }

    private Application Save(Application updated, ApplicationState expected) =>
        applications.UpdateApplication(updated, expected) ? updated
            : throw ECertException.Conflict($"application {updated.Id} changed while this request ran; nothing was changed");

    internal static DateOnly HongKongDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(TimeSpan.FromHours(8)).DateTime);

    /// <summary>Today's date in Hong Kong, the date tariffs and receipts go by.</summary>
    public static DateOnly HongKongDateToday(TimeProvider time) => HongKongDate(time.GetUtcNow());
}
