using ECert.Core.Billing;

namespace ECert.Core.Service;

/// <summary>The outlet directory and the RA officers.</summary>
public interface IOutletStore
{
    void SaveOutlet(ServiceOutlet outlet);
    ServiceOutlet? FindOutlet(string code);
    IReadOnlyList<ServiceOutlet> ListOutlets();
    void AddClosure(string outletCode, OutletClosure closure);
    void SaveOfficer(RaOfficer officer);
    RaOfficer? FindOfficer(string id);
    IReadOnlyList<RaOfficer> ListOfficers();
}

/// <summary>Subscribers and organisations.</summary>
public interface ISubscriberStore
{
    void AddOrganisation(Organisation organisation);
    Organisation? FindOrganisation(string brNumber);
    void AddSubscriber(Subscriber subscriber);
    Subscriber? FindSubscriber(string srn);
    Subscriber? FindPersonByIdentity(byte[] identityHash);
    IReadOnlyList<Subscriber> ListSubscribers(string? brNumber = null);
}

/// <summary>Applications, tariffs, payments and subscription periods.</summary>
public interface IApplicationStore
{
    /// <summary>A new application id such as APP-2026-000123.</summary>
    string NextApplicationId(int year);
    void AddApplication(Application application);
    Application? FindApplication(string id);
    IReadOnlyList<Application> ListApplications(ApplicationState? state = null, string? srn = null);

    /// <summary>Writes the application if it is still in <paramref name="expected"/>; false otherwise.</summary>
    bool UpdateApplication(Application updated, ApplicationState expected);

    IReadOnlyList<TariffVersion> ListTariffs();
    void AddTariff(TariffVersion version);

    /// <summary>Ends an open-ended version on <paramref name="until"/> (exclusive); false if it was not open-ended.</summary>
    bool EndTariff(string code, DateOnly until);

    /// <summary>
    /// Records a payment (or refund) under the next receipt number of its year (R-2026-000045) and,
    /// in the same transaction, the application it pays for, if it is still in
    /// <paramref name="expected"/>. Returns the payment with its receipt (also set on the
    /// application), or null when the application had moved on and nothing was recorded; receipt
    /// numbers therefore have no gaps.
    /// </summary>
    Payment? RecordPayment(Payment payment, Application? paidApplication, ApplicationState expected = ApplicationState.Submitted);
    Payment? FindPayment(string receipt);
    IReadOnlyList<Payment> ListPayments(DateTimeOffset from, DateTimeOffset until);

    void AddPeriod(SubscriptionPeriod period);

    /// <summary>
    /// In one transaction: marks the application issued (if still in <paramref name="expected"/>)
    /// and opens the certificate's first subscription period. False, and nothing written, otherwise.
    /// </summary>
    bool RecordIssuance(Application issued, SubscriptionPeriod firstPeriod, ApplicationState expected);

    /// <summary>Serials of every certificate reserved for an application, in any state.</summary>
    IReadOnlyList<string> ListCertificatesOfApplication(string applicationId);

    /// <summary>
    /// In one transaction: if the certificate's subscription is still paid exactly until
    /// <paramref name="period"/>.Starts, records the payment (with the next receipt number) and the
    /// period it buys. Null, and nothing recorded, when someone paid meanwhile.
    /// </summary>
    Payment? RecordSubscriptionPayment(Payment payment, SubscriptionPeriod period);

    /// <summary>Certificates suspended for non-payment, with how far they are paid.</summary>
    IReadOnlyList<SubscriptionStanding> ListSuspendedForNonPayment();
    IReadOnlyList<SubscriptionPeriod> ListPeriods(string serial);

    /// <summary>
    /// Certificates that have subscription periods, are valid or suspended, and whose last paid
    /// period ends before <paramref name="paidUntilBefore"/>.
    /// </summary>
    IReadOnlyList<SubscriptionStanding> ListLapsedSubscriptions(DateTimeOffset paidUntilBefore);

    /// <summary>Valid certificates whose notAfter lies in [from, until), for renewal reminders.</summary>
    IReadOnlyList<SubscriptionStanding> ListExpiring(DateTimeOffset from, DateTimeOffset until);
}

/// <summary>Reminders and notices waiting to be sent by e-mail, and their delivery record.</summary>
public interface INotificationStore
{
    /// <summary>Queues a notification; false if one of the same kind for the same certificate exists.</summary>
    bool Queue(Notification notification);
    IReadOnlyList<Notification> ListDue(DateTimeOffset now, int max);
    IReadOnlyList<Notification> ListFor(string srn);
    void MarkSent(long id, DateTimeOffset at);
    void MarkFailed(long id, string error);
}
