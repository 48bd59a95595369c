using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Service;
using ECert.Core.Stores;
using ECert.Storage;

namespace ECert.Storage.Tests;

public sealed class ServiceStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<string> NoNames = [];

    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-service-").FullName;
    private readonly SqliteDatabase _database;
    private readonly SqliteOutletStore _outlets;
    private readonly SqliteSubscriberStore _subscribers;
    private readonly SqliteApplicationStore _applications;
    private readonly SqliteNotificationStore _notifications;

    public ServiceStoreTests()
    {
        _database = new SqliteDatabase(Path.Combine(_folder, "ecert.db"));
        _database.Migrate();
        _outlets = new SqliteOutletStore(_database);
        _subscribers = new SqliteSubscriberStore(_database);
        _applications = new SqliteApplicationStore(_database);
        _notifications = new SqliteNotificationStore(_database);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // ----- outlets and officers -----

    [Fact]
    public void OutletUpsertReplacesDetailsAndKeepsClosures()
    {
        _outlets.SaveOutlet(Outlet("GPO", "General Post Office", "Mon 09:00-17:00", "Sat 09:00-12:00"));
        _outlets.AddClosure("GPO", new OutletClosure(new DateOnly(2026, 4, 6), "Ching Ming Festival"));
        _outlets.AddClosure("GPO", new OutletClosure(new DateOnly(2026, 1, 1), "New Year"));

        var changed = Outlet("GPO", "GPO Central", "Mon 09:00-12:30", "Mon 14:00-17:30", "Tue 09:00-17:00") with
        {
            Services = ["personal", "payment"],
        };
        _outlets.SaveOutlet(changed);

        var found = _outlets.FindOutlet("GPO")!;
        Assert.Equal("GPO Central", found.Name);
        Assert.Equal("2 Connaught Place", found.Address);
        Assert.Equal("Central and Western", found.District);
        Assert.Equal(["personal", "payment"], found.Services);
        Assert.Equal(changed.Hours, found.Hours);
        Assert.Equal(
            [new OutletClosure(new DateOnly(2026, 1, 1), "New Year"), new OutletClosure(new DateOnly(2026, 4, 6), "Ching Ming Festival")],
            found.Closures);
        Assert.True(found.IsClosedOn(new DateOnly(2026, 4, 6), out var reason));
        Assert.Equal("Ching Ming Festival", reason);
        Assert.Null(_outlets.FindOutlet("NOPE"));
    }

    [Fact]
    public void ListOutletsAttachesEachOutletsOwnClosures()
    {
        _outlets.SaveOutlet(Outlet("TST", "Tsim Sha Tsui") with { Services = [], Hours = [] });
        _outlets.SaveOutlet(Outlet("KT", "Kwun Tong", "Fri 10:00-16:00"));
        _outlets.AddClosure("TST", new OutletClosure(new DateOnly(2026, 7, 1), "HKSAR Establishment Day"));

        var outlets = _outlets.ListOutlets();

        Assert.Equal(["KT", "TST"], outlets.Select(o => o.Code));
        Assert.Empty(outlets[0].Closures);
        Assert.Equal([OpeningPeriod.Parse("Fri 10:00-16:00")], outlets[0].Hours);
        Assert.Single(outlets[1].Closures);
        Assert.Empty(outlets[1].Services);
        Assert.Empty(outlets[1].Hours);
    }

    [Fact]
    public void ASecondClosureOnTheSameDateIsAConflict()
    {
        _outlets.SaveOutlet(Outlet("GPO", "General Post Office"));
        _outlets.AddClosure("GPO", new OutletClosure(new DateOnly(2026, 9, 1), "Typhoon signal 8"));

        var duplicate = Assert.Throws<ECertException>(() => _outlets.AddClosure("GPO", new OutletClosure(new DateOnly(2026, 9, 1), "Black rain")));
        Assert.Equal(ErrorKind.Conflict, duplicate.Kind);
        Assert.Contains("2026-09-01", duplicate.Message);
        var unknown = Assert.Throws<ECertException>(() => _outlets.AddClosure("NOPE", new OutletClosure(new DateOnly(2026, 9, 1), "x")));
        Assert.Equal(ErrorKind.NotFound, unknown.Kind);
        Assert.Equal("Typhoon signal 8", Assert.Single(_outlets.FindOutlet("GPO")!.Closures).Reason);
    }

    [Fact]
    public void OfficersRoundTripAndUpsert()
    {
        _outlets.SaveOfficer(new RaOfficer("RA001", "Chan Tai Man", false, ["GPO", "TST"]));
        _outlets.SaveOfficer(new RaOfficer("RA000", "Wong Siu Ming", true, []));

        var officer = _outlets.FindOfficer("RA001")!;
        Assert.Equal("Chan Tai Man", officer.Name);
        Assert.False(officer.IsSupervisor);
        Assert.True(officer.Active);
        Assert.Equal(["GPO", "TST"], officer.Outlets);

        _outlets.SaveOfficer(new RaOfficer("RA001", "Chan Tai-man", true, ["KT"], Active: false));
        var updated = _outlets.FindOfficer("RA001")!;
        Assert.Equal("Chan Tai-man", updated.Name);
        Assert.True(updated.IsSupervisor);
        Assert.False(updated.Active);
        Assert.Equal(["KT"], updated.Outlets);

        var all = _outlets.ListOfficers();
        Assert.Equal(["RA000", "RA001"], all.Select(o => o.Id));
        Assert.Empty(all[0].Outlets);
        Assert.Null(_outlets.FindOfficer("RA999"));
    }

    // ----- subscribers -----

    [Fact]
    public void SubscribersAndOrganisationsRoundTrip()
    {
        var hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var person = new Subscriber
        {
            Srn = "0000000002",
            Kind = SubscriberKind.Person,
            Name = "CHAN Tai Man",
            ChineseName = "陳大文",
            IdentityHash = hash,
            IdentityMasked = "A123***(3)",
            CertificateEmail = "tm@example.hk",
            ContactEmail = "contact@example.hk",
            PostalAddress = "Flat A, 1/F, 1 Nathan Road",
            CreatedAt = T0,
        };
        _subscribers.AddSubscriber(person);
        _subscribers.AddOrganisation(new Organisation("12345678", "Example Limited", "1 Queen's Road", T0));
        var member = new Subscriber
        {
            Srn = "0000000001",
            Kind = SubscriberKind.AuthorisedUnit,
            Name = "Accounts",
            BrNumber = "12345678",
            OrgUnit = "Accounts Department",
            Role = "AR",
            CreatedAt = T0.AddDays(1),
        };
        _subscribers.AddSubscriber(member);

        var found = _subscribers.FindSubscriber("0000000002")!;
        AssertSameSubscriber(person, found);
        AssertSameSubscriber(person, _subscribers.FindPersonByIdentity((byte[])hash.Clone())!);
        AssertSameSubscriber(member, _subscribers.FindSubscriber("0000000001")!);
        Assert.True(_subscribers.FindSubscriber("0000000001")!.IsAuthorisedRepresentative);
        Assert.Null(_subscribers.FindPersonByIdentity(new byte[32]));

        Assert.Equal(new Organisation("12345678", "Example Limited", "1 Queen's Road", T0), _subscribers.FindOrganisation("12345678"));
        Assert.Null(_subscribers.FindOrganisation("87654321"));
        Assert.Equal(["0000000001", "0000000002"], _subscribers.ListSubscribers().Select(s => s.Srn));
        Assert.Equal(["0000000001"], _subscribers.ListSubscribers("12345678").Select(s => s.Srn));
        Assert.Empty(_subscribers.ListSubscribers("87654321"));
    }

    [Fact]
    public void ASecondPersonWithTheSameIdentityHashIsAConflict()
    {
        var hash = new byte[] { 1, 2, 3, 4 };
        _subscribers.AddSubscriber(Person("0000000001", hash));

        var error = Assert.Throws<ECertException>(() => _subscribers.AddSubscriber(Person("0000000002", [1, 2, 3, 4])));
        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Contains("identity", error.Message);
        Assert.Null(_subscribers.FindSubscriber("0000000002"));

        var sameSrn = Assert.Throws<ECertException>(() => _subscribers.AddSubscriber(Person("0000000001", [9])));
        Assert.Equal(ErrorKind.Conflict, sameSrn.Kind);
        Assert.Contains("0000000001", sameSrn.Message);

        _subscribers.AddOrganisation(new Organisation("12345678", "Example Limited", "1 Queen's Road", T0));
        var organisation = Assert.Throws<ECertException>(() => _subscribers.AddOrganisation(new Organisation("12345678", "Other", "2 Queen's Road", T0)));
        Assert.Equal(ErrorKind.Conflict, organisation.Kind);
        var noOrganisation = Assert.Throws<ECertException>(() => _subscribers.AddSubscriber(
            new Subscriber { Srn = "0000000003", Kind = SubscriberKind.Server, Name = "www", BrNumber = "87654321", CreatedAt = T0 }));
        Assert.Equal(ErrorKind.NotFound, noOrganisation.Kind);
    }

    // ----- applications -----

    [Fact]
    public void EveryFieldOfAnApplicationRoundTrips()
    {
        SeedCounterAndCertificate();
        var application = FullApplication();
        _applications.AddApplication(application);

        AssertSameApplication(application, _applications.FindApplication(application.Id)!);
        Assert.Null(_applications.FindApplication("APP-2026-999999"));
    }

    [Fact]
    public void AnApplicationWithoutOptionalFieldsRoundTripsWithNullsAndNoDnsNames()
    {
        _subscribers.AddSubscriber(Person("0000000001", [1]));
        var application = MinimalApplication("APP-2026-000001");
        _applications.AddApplication(application);

        var found = _applications.FindApplication(application.Id)!;
        AssertSameApplication(application, found);
        Assert.Empty(found.DnsNames);
        Assert.Null(found.Fee);
        Assert.Null(RawValue("SELECT dns_names FROM applications"));
    }

    [Fact]
    public void AnApplicationWithAnExistingIdIsAConflictAndOneForAnUnknownSubscriberIsNotFound()
    {
        _subscribers.AddSubscriber(Person("0000000001", [1]));
        _applications.AddApplication(MinimalApplication("APP-2026-000001"));

        Assert.Equal(ErrorKind.Conflict, Assert.Throws<ECertException>(() => _applications.AddApplication(MinimalApplication("APP-2026-000001"))).Kind);
        var unknown = MinimalApplication("APP-2026-000002") with { Srn = "0000000099" };
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<ECertException>(() => _applications.AddApplication(unknown)).Kind);
    }

    [Fact]
    public void UpdateApplicationIsACompareAndSetOnTheState()
    {
        SeedCounterAndCertificate();
        var submitted = MinimalApplication("APP-2026-000001");
        _applications.AddApplication(submitted);

        var verified = submitted with
        {
            State = ApplicationState.IdentityVerified,
            VerifiedBy = "RA001",
            VerifiedOutlet = "GPO",
            VerifiedAt = T0.AddHours(1),
            DocumentType = "hkid-card",
            HoursOverrideBy = "RA000",
        };
        Assert.True(_applications.UpdateApplication(verified, ApplicationState.Submitted));

        var stale = submitted with { State = ApplicationState.Withdrawn, ClosedReason = "changed my mind" };
        Assert.False(_applications.UpdateApplication(stale, ApplicationState.Submitted));
        Assert.False(_applications.UpdateApplication(stale with { Id = "APP-2026-000404" }, ApplicationState.Submitted));

        AssertSameApplication(verified, _applications.FindApplication(submitted.Id)!);
    }

    [Fact]
    public void ListApplicationsFiltersByStateAndSubscriber()
    {
        _subscribers.AddSubscriber(Person("0000000001", [1]));
        _subscribers.AddSubscriber(Person("0000000002", [2]));
        _applications.AddApplication(MinimalApplication("APP-2026-000002") with { CreatedAt = T0.AddMinutes(1) });
        _applications.AddApplication(MinimalApplication("APP-2026-000001"));
        _applications.AddApplication(MinimalApplication("APP-2026-000003") with { Srn = "0000000002", State = ApplicationState.IdentityVerified, CreatedAt = T0.AddMinutes(2) });

        Assert.Equal(["APP-2026-000001", "APP-2026-000002", "APP-2026-000003"], _applications.ListApplications().Select(a => a.Id));
        Assert.Equal(["APP-2026-000001", "APP-2026-000002"], _applications.ListApplications(ApplicationState.Submitted).Select(a => a.Id));
        Assert.Equal(["APP-2026-000003"], _applications.ListApplications(ApplicationState.IdentityVerified).Select(a => a.Id));
        Assert.Equal(["APP-2026-000003"], _applications.ListApplications(srn: "0000000002").Select(a => a.Id));
        Assert.Empty(_applications.ListApplications(ApplicationState.Submitted, "0000000002"));
    }

    [Fact]
    public void ApplicationIdsCountUpAndRestartEachYear()
    {
        Assert.Equal("APP-2026-000001", _applications.NextApplicationId(2026));
        Assert.Equal("APP-2026-000002", _applications.NextApplicationId(2026));
        Assert.Equal("APP-2027-000001", _applications.NextApplicationId(2027));
        Assert.Equal("APP-2026-000003", _applications.NextApplicationId(2026));
    }

    [Fact]
    public void ReceiptsAreNumberedPerYearWithoutGapsEvenWhenAPaymentIsRefused()
    {
        SeedCounterAndCertificate();
        var application = MinimalApplication("APP-2026-000001") with { State = ApplicationState.IdentityVerified };
        _applications.AddApplication(application);
        Assert.Equal("R-2026-000001", _applications.RecordPayment(CashPayment("ignored", null, T0), null)!.Receipt);
        // A refused payment (the application is not in the expected state) takes no number.
        Assert.Null(_applications.RecordPayment(CashPayment("ignored", application.Id, T0), application with { State = ApplicationState.Paid }, ApplicationState.Approved));
        Assert.Equal("R-2026-000002", _applications.RecordPayment(CashPayment("ignored", null, T0.AddHours(1)), null)!.Receipt);
        Assert.Equal("R-2027-000001", _applications.RecordPayment(CashPayment("ignored", null, new DateTimeOffset(2027, 1, 2, 10, 0, 0, TimeSpan.FromHours(8))), null)!.Receipt);
    }

    // ----- tariffs -----

    [Fact]
    public void TariffVersionsRoundTripWithTheirEntries()
    {
        var later = new TariffVersion("2027", new DateOnly(2027, 1, 1), null,
            [new TariffEntry("personal", FeeKind.First, 1, Money.FromDollars(60))], Money.FromDollars(1000), Money.FromDollars(110));
        var current = new TariffVersion("2026-promo", new DateOnly(2026, 1, 1), new DateOnly(2027, 1, 1),
            [
                new TariffEntry("personal", FeeKind.First, 1, Money.Zero, "first year free"),
                new TariffEntry("personal", FeeKind.Renewal, 2, new Money(9950)),
                new TariffEntry("server-wildcard", FeeKind.First, 1, new Money(870050)),
            ],
            new Money(100050), new Money(10000), "2026 tariff with the free first year");
        _applications.AddTariff(later);
        _applications.AddTariff(current);

        var versions = _applications.ListTariffs();

        Assert.Equal(["2026-promo", "2027"], versions.Select(v => v.Code));
        var read = versions[0];
        Assert.Equal(current.EffectiveFrom, read.EffectiveFrom);
        Assert.Equal(current.EffectiveUntil, read.EffectiveUntil);
        Assert.Equal(current.Entries, read.Entries);
        Assert.Equal(current.ExtraServerFee, read.ExtraServerFee);
        Assert.Equal(current.UsbMediumFee, read.UsbMediumFee);
        Assert.Equal(current.Description, read.Description);
        Assert.Null(versions[1].EffectiveUntil);
        Assert.Null(versions[1].Description);
        Assert.Equal(later.Entries, versions[1].Entries);

        Assert.Equal("2026-01-01", RawValue("SELECT effective_from FROM tariff_versions WHERE code = '2026-promo'"));
        var json = (string)RawValue("SELECT entries FROM tariff_versions WHERE code = '2026-promo'")!;
        Assert.Contains("\"kind\":\"renewal\"", json);
        Assert.Contains("\"feeCents\":9950", json);
        Assert.Contains("\"termYears\":2", json);
        Assert.Contains("\"label\":\"first year free\"", json);

        var again = Assert.Throws<ECertException>(() => _applications.AddTariff(later));
        Assert.Equal(ErrorKind.Conflict, again.Kind);
    }

    // ----- payments -----

    [Fact]
    public void RecordPaymentStoresThePaymentAndThePaidApplicationTogether()
    {
        SeedCounterAndCertificate();
        var application = MinimalApplication("APP-2026-000001") with { State = ApplicationState.IdentityVerified };
        _applications.AddApplication(application);
        var payment = CashPayment("R-2026-000001", application.Id, T0.AddHours(2));
        var paid = application with { State = ApplicationState.Paid, Fee = payment.Amount, TariffCode = "2026", Receipt = payment.Receipt };

        var recorded = _applications.RecordPayment(payment, paid, ApplicationState.IdentityVerified);

        Assert.Equal("R-2026-000001", recorded?.Receipt);
        AssertSamePayment(payment, _applications.FindPayment(payment.Receipt)!);
        AssertSameApplication(paid, _applications.FindApplication(application.Id)!);
    }

    [Fact]
    public void RecordPaymentRollsBackThePaymentWhenTheApplicationMoved()
    {
        SeedCounterAndCertificate();
        var application = MinimalApplication("APP-2026-000001") with { State = ApplicationState.IdentityVerified };
        _applications.AddApplication(application);
        var withdrawn = application with { State = ApplicationState.Withdrawn, ClosedReason = "withdrawn by phone" };
        Assert.True(_applications.UpdateApplication(withdrawn, ApplicationState.IdentityVerified));

        var payment = CashPayment("R-2026-000001", application.Id, T0.AddHours(2));
        var paid = application with { State = ApplicationState.Paid, Fee = payment.Amount, Receipt = payment.Receipt };
        Assert.Null(_applications.RecordPayment(payment, paid, ApplicationState.IdentityVerified));

        Assert.Null(_applications.FindPayment(payment.Receipt));
        Assert.Equal(0L, RawValue("SELECT COUNT(*) FROM payments"));
        AssertSameApplication(withdrawn, _applications.FindApplication(application.Id)!);
    }

    [Fact]
    public void APaymentWithoutAnApplicationAndARefundAreRecorded()
    {
        SeedCounterAndCertificate();
        var payment = CashPayment("R-2026-000001", null, T0) with { Serial = "0A1B", Product = "personal", Channel = PaymentChannel.Online, Reference = "GW-1", OutletCode = null, OfficerId = null };
        Assert.Equal("R-2026-000001", _applications.RecordPayment(payment, null)?.Receipt);
        var refund = payment with { Receipt = "R-2026-000002", IsRefund = true, RefundOf = "R-2026-000001", Channel = PaymentChannel.ECheque, At = T0.AddDays(1) };
        Assert.Equal("R-2026-000002", _applications.RecordPayment(refund, null)?.Receipt);

        AssertSamePayment(payment, _applications.FindPayment("R-2026-000001")!);
        AssertSamePayment(refund, _applications.FindPayment("R-2026-000002")!);
    }

    [Fact]
    public void ListPaymentsTakesTheHalfOpenRangeInTimeOrder()
    {
        SeedCounterAndCertificate();
        // Receipts are numbered in recording order: 01 at T0+1h, 02 and 03 at T0, 04 a day later, 05 just before T0.
        _applications.RecordPayment(CashPayment("-", null, T0.AddHours(1)), null);
        _applications.RecordPayment(CashPayment("-", null, T0), null);
        _applications.RecordPayment(CashPayment("-", null, T0), null);
        _applications.RecordPayment(CashPayment("-", null, T0.AddDays(1)), null);
        _applications.RecordPayment(CashPayment("-", null, T0.AddSeconds(-1)), null);

        Assert.Equal(["R-2026-000002", "R-2026-000003", "R-2026-000001"], _applications.ListPayments(T0, T0.AddDays(1)).Select(p => p.Receipt));
    }

    // ----- subscriptions -----

    [Fact]
    public void SubscriptionPeriodsRoundTripInOrder()
    {
        SeedCounterAndCertificate();
        _applications.AddPeriod(new SubscriptionPeriod("0A1B", T0.AddYears(1), T0.AddYears(2), null));
        _applications.AddPeriod(new SubscriptionPeriod("0A1B", T0, T0.AddYears(1), null));

        Assert.Equal([new SubscriptionPeriod("0A1B", T0, T0.AddYears(1), null), new SubscriptionPeriod("0A1B", T0.AddYears(1), T0.AddYears(2), null)],
            _applications.ListPeriods("0A1B"));
        Assert.Equal(ErrorKind.Conflict,
            Assert.Throws<ECertException>(() => _applications.AddPeriod(new SubscriptionPeriod("0A1B", T0, T0.AddDays(1), null))).Kind);
        Assert.Equal(ErrorKind.NotFound,
            Assert.Throws<ECertException>(() => _applications.AddPeriod(new SubscriptionPeriod("FFFF", T0, T0.AddDays(1), null))).Kind);
    }

    [Fact]
    public void LapsedSubscriptionsAreValidOrSuspendedCertificatesWhoseLastPeriodEndedBeforeTheCutoff()
    {
        AddCa();
        var cutoff = T0;
        var notAfter = T0.AddYears(2);
        AddCertificate("01", "0000000001", "valid", notAfter);                          // lapsed: both periods end before the cutoff
        AddPeriod("01", T0.AddYears(-2), T0.AddYears(-1));
        AddPeriod("01", T0.AddYears(-1), T0.AddDays(-1));
        AddCertificate("02", "0000000002", "valid", notAfter);                          // renewed: the last period runs past the cutoff
        AddPeriod("02", T0.AddYears(-1), T0.AddDays(-1));
        AddPeriod("02", T0.AddDays(-1), T0.AddYears(1));
        AddCertificate("03", "0000000003", "suspended", notAfter, "non-payment");       // lapsed and already suspended
        AddPeriod("03", T0.AddYears(-1), T0.AddDays(-30));
        AddCertificate("04", "0000000004", "revoked", notAfter);                        // revoked: no longer swept
        AddPeriod("04", T0.AddYears(-1), T0.AddDays(-30));
        AddCertificate("05", "0000000005", "valid", notAfter);                          // no periods at all
        AddCertificate("06", "0000000006", "valid", notAfter);                          // ends exactly at the cutoff: not before it
        AddPeriod("06", T0.AddYears(-1), cutoff);

        var lapsed = _applications.ListLapsedSubscriptions(cutoff);

        Assert.Equal(["03", "01"], lapsed.Select(s => s.Serial));
        Assert.Equal(new SubscriptionStanding("03", "0000000003", "personal", CertificateState.Suspended, "non-payment", T0.AddDays(-30), notAfter), lapsed[0]);
        Assert.Equal(new SubscriptionStanding("01", "0000000001", "personal", CertificateState.Valid, null, T0.AddDays(-1), notAfter), lapsed[1]);
    }

    [Fact]
    public void ExpiringCertificatesAreValidOnesEndingInTheHalfOpenRange()
    {
        AddCa();
        var from = T0;
        var until = T0.AddDays(30);
        AddCertificate("11", "0000000011", "valid", from);                              // at from: included, no periods
        AddCertificate("12", "0000000012", "valid", T0.AddDays(10));                    // inside, with periods
        AddPeriod("12", T0.AddYears(-1), T0.AddDays(-5));
        AddPeriod("12", T0.AddDays(-5), T0.AddDays(10));
        AddCertificate("13", "0000000013", "valid", until);                             // at until: excluded
        AddCertificate("14", "0000000014", "suspended", T0.AddDays(5), "request");      // not valid
        AddCertificate("15", "0000000015", "valid", T0.AddSeconds(-1));                 // before from
        AddCertificate("16", "0000000016", "reserved", T0.AddDays(5));                  // never issued

        var expiring = _applications.ListExpiring(from, until);

        Assert.Equal(["11", "12"], expiring.Select(s => s.Serial));
        Assert.Equal(new SubscriptionStanding("11", "0000000011", "personal", CertificateState.Valid, null, from, from), expiring[0]);
        Assert.Equal(new SubscriptionStanding("12", "0000000012", "personal", CertificateState.Valid, null, T0.AddDays(10), T0.AddDays(10)), expiring[1]);
    }

    // ----- notifications -----

    [Fact]
    public void OnlyOneNotificationOfAKindIsQueuedPerCertificate()
    {
        _subscribers.AddSubscriber(Person("0000000001", [1]));

        Assert.True(_notifications.Queue(Notice("renewal-reminder", "0A1B", T0)));
        Assert.False(_notifications.Queue(Notice("renewal-reminder", "0A1B", T0.AddDays(1))));
        Assert.True(_notifications.Queue(Notice("suspension-notice", "0A1B", T0)));
        Assert.True(_notifications.Queue(Notice("welcome", null, T0)));
        Assert.True(_notifications.Queue(Notice("welcome", null, T0)));

        var queued = _notifications.ListFor("0000000001");
        Assert.Equal(4, queued.Count);
        Assert.Equal(T0, queued.Single(n => n.Kind == "renewal-reminder").DueAt);
        Assert.Equal(4, queued.Select(n => n.Id).Distinct().Count());
        var first = queued.First(n => n.Kind == "renewal-reminder");
        Assert.Equal("tm@example.hk", first.Recipient);
        Assert.Equal("Your e-Cert: renewal-reminder", first.Subject);
        Assert.Equal("Dear subscriber", first.Body);
        Assert.Equal("0000000001", first.Srn);
        Assert.Null(first.SentAt);
        Assert.Equal(0, first.Attempts);
        Assert.Null(first.LastError);
    }

    [Fact]
    public void DueNotificationsAreUnsentAndPastTheirTimeInOrderUpToTheLimit()
    {
        _subscribers.AddSubscriber(Person("0000000001", [1]));
        _notifications.Queue(Notice("b", "02", T0.AddMinutes(-1)));
        _notifications.Queue(Notice("a", "01", T0.AddMinutes(-2)));
        _notifications.Queue(Notice("c", "03", T0));
        _notifications.Queue(Notice("later", "04", T0.AddSeconds(1)));

        Assert.Equal(["a", "b", "c"], _notifications.ListDue(T0, 10).Select(n => n.Kind));
        Assert.Equal(["a", "b"], _notifications.ListDue(T0, 2).Select(n => n.Kind));

        var a = _notifications.ListDue(T0, 1)[0];
        _notifications.MarkSent(a.Id, T0.AddMinutes(1));
        Assert.Equal(["b", "c"], _notifications.ListDue(T0, 10).Select(n => n.Kind));
        Assert.Equal(T0.AddMinutes(1), _notifications.ListFor("0000000001").Single(n => n.Id == a.Id).SentAt);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<ECertException>(() => _notifications.MarkSent(999, T0)).Kind);
    }

    [Fact]
    public void FailedNotificationsCountAttemptsAndStopBeingDueAfterTheLimit()
    {
        _subscribers.AddSubscriber(Person("0000000001", [1]));
        _notifications.Queue(Notice("renewal-reminder", "01", T0));
        var id = _notifications.ListDue(T0, 10).Single().Id;

        _notifications.MarkFailed(id, "mail server refused: 451");
        var failed = _notifications.ListDue(T0, 10).Single();
        Assert.Equal(1, failed.Attempts);
        Assert.Equal("mail server refused: 451", failed.LastError);
        Assert.Null(failed.SentAt);

        for (var i = 2; i < SqliteNotificationStore.MaxAttempts; i++) _notifications.MarkFailed(id, $"attempt {i}");
        Assert.Equal(SqliteNotificationStore.MaxAttempts - 1, _notifications.ListDue(T0, 10).Single().Attempts);
        _notifications.MarkFailed(id, "timeout");
        Assert.Empty(_notifications.ListDue(T0, 10));
        var given = _notifications.ListFor("0000000001").Single();
        Assert.Equal(SqliteNotificationStore.MaxAttempts, given.Attempts);
        Assert.Equal("timeout", given.LastError);
    }

    // ----- helpers -----

    private static ServiceOutlet Outlet(string code, string name, params string[] hours) => new()
    {
        Code = code,
        Name = name,
        Address = "2 Connaught Place",
        District = "Central and Western",
        Services = ["personal", "renewal", "payment"],
        Hours = [.. hours.Select(OpeningPeriod.Parse)],
    };

    private static Subscriber Person(string srn, byte[] hash) => new()
    {
        Srn = srn,
        Kind = SubscriberKind.Person,
        Name = "CHAN Tai Man",
        IdentityHash = hash,
        IdentityMasked = "A123***(3)",
        CertificateEmail = "tm@example.hk",
        CreatedAt = T0,
    };

    /// <summary>An outlet GPO, officer RA001, supervisor RA000, person 0000000001 and a valid certificate 0A1B.</summary>
    private void SeedCounterAndCertificate()
    {
        _outlets.SaveOutlet(Outlet("GPO", "General Post Office", "Mon 09:00-17:00"));
        _outlets.SaveOfficer(new RaOfficer("RA001", "Chan Tai Man", false, ["GPO"]));
        _outlets.SaveOfficer(new RaOfficer("RA000", "Wong Siu Ming", true, ["GPO"]));
        _outlets.SaveOfficer(new RaOfficer("RA002", "Lee Ka Yan", false, ["GPO"]));
        _subscribers.AddSubscriber(Person("0000000001", [1]));
        AddCa();
        AddCertificate("0A1B", "0000000001", "valid", T0.AddYears(3));
    }

    private static Application MinimalApplication(string id) => new()
    {
        Id = id,
        Srn = "0000000001",
        Profile = "personal",
        Kind = FeeKind.First,
        Channel = ApplicationChannel.Online,
        State = ApplicationState.Submitted,
        TermYears = 1,
        CreatedAt = T0,
    };

    private static Application FullApplication() => new()
    {
        Id = "APP-2026-000042",
        Srn = "0000000001",
        Profile = "server",
        Kind = FeeKind.Renewal,
        Channel = ApplicationChannel.Counter,
        State = ApplicationState.Accepted,
        TermYears = 2,
        DnsNames = ["*.example.hk", "example.hk"],
        UsbMedium = true,
        ExtraServers = 3,
        RenewsSerial = "0F00",
        CreatedAt = T0,
        VerifiedBy = "RA001",
        VerifiedOutlet = "GPO",
        VerifiedAt = T0.AddHours(1),
        DocumentType = "br-certificate",
        PinEnvelope = "PIN123456",
        HoursOverrideBy = "RA000",
        ApprovedBy = "RA002",
        ApprovedAt = T0.AddHours(2),
        Fee = new Money(870050),
        TariffCode = "2026",
        Receipt = "R-2026-000007",
        Serial = "0A1B",
        IssuedAt = T0.AddHours(3),
        AcceptedAt = T0.AddDays(2),
        ClosedReason = "kept for the record",
    };

    private static Payment CashPayment(string receipt, string? applicationId, DateTimeOffset at) => new()
    {
        Receipt = receipt,
        IsRefund = false,
        Srn = "0000000001",
        ApplicationId = applicationId,
        Product = "personal",
        Channel = PaymentChannel.CounterCash,
        Amount = new Money(5050),
        OutletCode = "GPO",
        OfficerId = "RA001",
        At = at,
    };

    private static Notification Notice(string kind, string? serial, DateTimeOffset due) => new()
    {
        Kind = kind,
        Srn = "0000000001",
        Serial = serial,
        Recipient = "tm@example.hk",
        Subject = $"Your e-Cert: {kind}",
        Body = "Dear subscriber",
        DueAt = due,
    };

    private void AddCa() => Execute(
        "INSERT INTO certificate_authorities (slug, role, key_id, certificate, created_at) VALUES ('issuing', 'issuing', 'k1', x'3000', 0)");

    private void AddCertificate(string serial, string srn, string state, DateTimeOffset notAfter, string? suspendedFor = null) => Execute(
        """
        INSERT INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state, reserved_at, suspended_for)
        VALUES ($serial, 'issuing', 'personal', 0, 'CN=Test', $srn, $nb, $na, $state, $nb, $suspendedFor)
        """,
        ("$serial", serial), ("$srn", srn), ("$nb", notAfter.AddYears(-3).ToUnixTimeSeconds()), ("$na", notAfter.ToUnixTimeSeconds()),
        ("$state", state), ("$suspendedFor", suspendedFor));

    private void AddPeriod(string serial, DateTimeOffset starts, DateTimeOffset ends) =>
        _applications.AddPeriod(new SubscriptionPeriod(serial, starts, ends, null));

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private object? RawValue(string sql)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static void AssertSameSubscriber(Subscriber expected, Subscriber actual)
    {
        Assert.Equal(expected.IdentityHash, actual.IdentityHash);
        // Records compare arrays by reference; with the hash checked above, compare the rest.
        Assert.Equal(expected with { IdentityHash = null }, actual with { IdentityHash = null });
    }

    private static void AssertSameApplication(Application expected, Application actual)
    {
        Assert.Equal(expected.DnsNames, actual.DnsNames);
        // Records compare lists by reference; with the names checked above, compare every other field.
        Assert.Equal(expected with { DnsNames = NoNames }, actual with { DnsNames = NoNames });
    }

    private static void AssertSamePayment(Payment expected, Payment actual) => Assert.Equal(expected, actual);
}
