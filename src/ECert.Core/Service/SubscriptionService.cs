using ECert.Core.Billing;
using ECert.Core.Settings;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Core.Service;

/// <summary>What one sweep did.</summary>
public sealed record SweepReport(int AcceptanceExpired, int SuspendedForNonPayment, int RevokedForNonPayment, int RemindersQueued);

/// <summary>
/// Subscriptions, kept apart from certificate validity: a 3-year Personal certificate is paid year
/// by year. The sweep (run by the server every few minutes, or by <c>ecert service sweep</c>):
/// revokes certificates not accepted in time, suspends certificates whose subscription lapsed
/// beyond the grace period (TLS certificates, which may not be suspended, are revoked), revokes
/// those left unpaid too long, and queues renewal reminders. A late payment resumes a certificate
/// suspended for non-payment.
/// </summary>
public sealed class SubscriptionService(
    IApplicationStore applications,
    ISubscriberStore subscribers,
    INotificationStore notifications,
    ICertificateStore certificates,
    CertificateStatusService status,
    ApplicationService service,
    CaSettings settings,
    TimeProvider time,
    Privacy.IPersonalDataLog? reads = null)
{
    private readonly Privacy.IPersonalDataLog _reads = reads ?? Privacy.NoPersonalDataLog.Instance;

    private ServiceSettings Service => settings.Service;

    public DateTimeOffset PaidUntil(string serial)
    {
        var periods = applications.ListPeriods(serial);
        return periods.Count == 0
            ? throw ECertException.NotFound($"certificate {serial} has no subscription (it was not issued through an application)")
            : periods.Max(p => p.Ends);
    }

    /// <summary>Pays the next subscription year(s) of a certificate, and resumes it if it was suspended for non-payment.</summary>
    public (Payment Payment, SubscriptionPeriod Period) PaySubscription(string serial, PaymentRequest request, int years = 1)
    {
        var certificate = status.Get(serial);
        if (certificate.State == CertificateState.Revoked)
            throw ECertException.Conflict($"certificate {certificate.SerialHex} is revoked; its subscription cannot be paid");
        var paidUntil = PaidUntil(certificate.SerialHex);
        if (paidUntil >= certificate.NotAfter)
            throw ECertException.Conflict($"the subscription of {certificate.SerialHex} is paid to the end of its validity ({certificate.NotAfter:yyyy-MM-dd}); renew the certificate instead");
        var quote = new TariffBook(applications.ListTariffs()).Quote(new QuoteRequest(
            certificate.Profile, FeeKind.Renewal, years, ApplicationService.HongKongDate(time.GetUtcNow())));
        var ends = paidUntil.AddYears(years);
        if (certificate.Profile != Profiles.BuiltInProfiles.Server && ends > certificate.NotAfter) ends = certificate.NotAfter;
        var period = new SubscriptionPeriod(certificate.SerialHex, paidUntil, ends, null);
        // The payment and its period are one transaction, taken only if nobody paid meanwhile.
        var payment = applications.RecordSubscriptionPayment(
                service.TakePayment(request, certificate.Srn, certificate.Profile, quote.Total, null, certificate.SerialHex), period)
            ?? throw ECertException.Conflict($"the subscription of {certificate.SerialHex} was paid by someone else meanwhile; nothing was charged");
        status.ResumeAfterPayment(certificate.SerialHex);
        return (payment, period with { Receipt = payment.Receipt });
    }

    public SweepReport Sweep()
    {
        var now = time.GetUtcNow();
        var expired = 0;
        foreach (var application in applications.ListApplications(ApplicationState.Issued))
        {
            if (application.IssuedAt!.Value.AddDays(Service.AcceptanceDays) > now) continue;
            // Revoke first, then close: a crash in between is finished by the next sweep.
            var certificate = certificates.FindCertificate(application.Serial!);
            if (certificate?.State is CertificateState.Valid or CertificateState.Suspended)
                status.Revoke(application.Serial!, RevocationReason.CessationOfOperation);
            var closed = application with { State = ApplicationState.Expired, ClosedReason = $"not accepted within {Service.AcceptanceDays} days" };
            if (applications.UpdateApplication(closed, ApplicationState.Issued)) expired++;
        }

        int suspended = 0, revoked = 0;
        var grace = TimeSpan.FromDays(Service.PaymentGraceDays);
        foreach (var standing in applications.ListLapsedSubscriptions(now - grace))
        {
            if (standing.NotAfter <= now) continue; // expired anyway
            if (standing.State == CertificateState.Valid)
            {
                if (standing.Profile == Profiles.BuiltInProfiles.Server)
                {
                    status.Revoke(standing.Serial, RevocationReason.PrivilegeWithdrawn);
                    revoked++;
                    continue;
                }
                status.Suspend(standing.Serial, CertificateStatusService.SuspendedForNonPayment);
                // One notice per lapse: the kind names the period that went unpaid.
                Notify($"suspended-non-payment:{standing.PaidUntil:yyyy-MM-dd}", standing, "Your e-Cert is suspended: subscription unpaid",
                    $"The subscription of e-Cert {standing.Serial} was paid until {standing.PaidUntil:yyyy-MM-dd}. The certificate is suspended until the subscription is paid; "
                    + $"it will be revoked if it stays unpaid for {Service.UnpaidRevocationDays} more days.", now);
                suspended++;
            }
            else if (standing.SuspendedFor == CertificateStatusService.SuspendedForNonPayment
                     && standing.PaidUntil + grace + TimeSpan.FromDays(Service.UnpaidRevocationDays) <= now)
            {
                status.Revoke(standing.Serial, RevocationReason.PrivilegeWithdrawn);
                revoked++;
            }
        }

        // A payment recorded just before a crash leaves the certificate paid but on hold: resume it.
        foreach (var standing in applications.ListSuspendedForNonPayment())
            if (standing.PaidUntil + grace > now)
                status.ResumeAfterPayment(standing.Serial);

        var reminders = 0;
        var widest = Service.RenewalWindowDays.Values.DefaultIfEmpty(21).Max();
        foreach (var standing in applications.ListExpiring(now, now.AddDays(widest)))
        {
            if (standing.NotAfter.AddDays(-Service.RenewalWindow(standing.Profile)) > now) continue;
            if (Notify("renewal-reminder", standing, "Your e-Cert expires soon: renew it",
                    $"e-Cert {standing.Serial} expires on {standing.NotAfter:yyyy-MM-dd}. Renew it before then, online with the certificate itself or at any service outlet; "
                    + "your Subscriber Reference Number stays the same.", now))
                reminders++;
        }
        // The yearly fee falls due: a notice three weeks before the paid year ends (once per year).
        foreach (var standing in applications.ListLapsedSubscriptions(now.AddDays(21)))
        {
            if (standing.State != CertificateState.Valid || standing.PaidUntil < now || standing.NotAfter <= standing.PaidUntil) continue;
            if (Notify($"subscription-due:{standing.PaidUntil:yyyy-MM-dd}", standing, "Your e-Cert subscription falls due",
                    $"The subscription of e-Cert {standing.Serial} is paid until {standing.PaidUntil:yyyy-MM-dd}. Pay the next year at any service outlet, "
                    + $"online, or by e-cheque quoting your SRN {standing.Srn}; unpaid certificates are suspended {Service.PaymentGraceDays} days after that date.", now))
                reminders++;
        }
        return new SweepReport(expired, suspended, revoked, reminders);
    }

    /// <summary>
    /// Queues a notice to the subscriber's own address; for an organisation's user, unit or server
    /// without one, to the organisation's Authorised Representative.
    /// </summary>
    private bool Notify(string kind, SubscriptionStanding standing, string subject, string body, DateTimeOffset now)
    {
        var subscriber = subscribers.FindSubscriber(standing.Srn);
        _reads.Read(standing.Srn, kind.StartsWith("renewal", StringComparison.Ordinal) ? "renewal" : "billing");
        var recipient = subscriber?.NotificationEmail
            ?? (subscriber?.BrNumber is { } br
                ? subscribers.ListSubscribers(br).FirstOrDefault(m => m.IsAuthorisedRepresentative && m.NotificationEmail is not null)?.NotificationEmail
                : null);
        if (recipient is null) return false;
        return notifications.Queue(new Notification
        {
            Kind = kind, Srn = standing.Srn, Serial = standing.Serial, Recipient = recipient,
            Subject = subject, Body = body, DueAt = now,
        });
    }
}
