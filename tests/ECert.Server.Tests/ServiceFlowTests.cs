using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Ocsp;
using ECert.Core.Service;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Server.Tests;

/// <summary>The service's paths end to end, on a real instance with a clock the test moves.</summary>
public sealed class ServiceFlowTests : IDisposable
{
    private readonly ServiceWorld _world = new();

    public void Dispose() => _world.Dispose();

    private OcspCertStatus? OcspStatus(string serial)
    {
        var record = _world.Instance.Certificates.FindCertificate(serial)!;
        var issuer = _world.Instance.Cas.FindCa(record.CaSlug)!.Certificate;
        return OcspWire.Read(_world.Instance.OcspResponder().Respond(OcspWire.Request(issuer, serial)).Der).CertStatus;
    }

    private List<(string Serial, int? Reason)> CrlEntries(string serial)
    {
        _world.Instance.CrlPublisher().PublishAll();
        var record = _world.Instance.Certificates.FindCertificate(serial)!;
        return CrlReader.Entries(_world.LatestCrl(record.CaSlug, record.Partition));
    }

    [Fact]
    public void ARecordTheCertificateRulesRefuseIsStoppedBeforeAnythingIsPaid()
    {
        // Registration refuses such a name now; a record stored before the rule still exists.
        var srn = _world.Instance.Certificates.AllocateSrn();
        _world.Instance.Subscribers.AddSubscriber(new Subscriber
        {
            Srn = srn, Kind = SubscriberKind.Person, Name = "CHAN\u200bTai Man", IdentityHash = new byte[32], IdentityMasked = "A123***(*)",
            CreatedAt = _world.Clock.GetUtcNow(),
        });
        var error = Assert.Throws<ECertException>(() => _world.Applications.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter)));
        Assert.Equal(ErrorKind.PolicyViolation, error.Kind);
        Assert.Contains("contains U+200B, an invisible character", error.Message);
        Assert.Empty(_world.Instance.Applications.ListApplications(srn: srn));
    }

    [Fact]
    public void CounterApplicationBecomesAnAcceptedPublishedPersonalECert()
    {
        var srn = _world.RegisterPerson();
        var service = _world.Applications;
        var application = service.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter));
        Assert.Equal("APP-2026-000001", application.Id);
        var verified = service.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card", "PIN0012345"));
        Assert.Equal(("ra-001", "GPO", "hkid-card", "PIN0012345"), (verified.VerifiedBy, verified.VerifiedOutlet, verified.DocumentType, verified.PinEnvelope));

        var (paid, payment) = service.Pay(application.Id, _world.Cash(Money.FromDollars(48)));
        Assert.Equal(Money.FromDollars(48), payment.Amount);
        Assert.Equal("R-2026-000001", paid.Receipt);
        Assert.Equal("HK-2023-07", paid.TariffCode);

        var (issued, certificate) = service.Issue(application.Id, ServiceWorld.NewKey());
        Assert.Equal(ApplicationState.Issued, issued.State);
        Assert.False(_world.Instance.Certificates.FindCertificate(certificate.SerialHex)!.Published);
        Assert.Contains($"SERIALNUMBER={srn}", certificate.Subject.Name.Name.Replace(" ", ""));

        service.Accept(application.Id);
        Assert.True(_world.Instance.Certificates.FindCertificate(certificate.SerialHex)!.Published);
        // The service's own read of the subscriber's details for issuance is recorded with its purpose.
        Assert.Contains(_world.Instance.Audit.Entries(), e => e.Event is { Action: "personal-data.read", Purpose: "issuance" } && e.Event.Subject == srn);
        Assert.Equal(OcspCertStatus.Good, OcspStatus(certificate.SerialHex));
        var period = Assert.Single(_world.Instance.Applications.ListPeriods(certificate.SerialHex));
        Assert.Equal(_world.Clock.GetUtcNow().AddYears(1).Date, period.Ends.UtcDateTime.Date);
    }

    [Fact]
    public void OrganisationalApplicationNeedsASecondDifferentOfficer()
    {
        var registry = _world.Instance.Registry();
        registry.RegisterOrganisation("12345678", "Example Trading Ltd", "1 Queen's Road Central");
        var user = registry.RegisterMember("12345678", SubscriberKind.AuthorisedUser, "WONG Siu Ming", "sm.wong@example.com", "Finance", false);
        var service = _world.Applications;
        var application = service.Submit(new SubmitRequest(user.Srn, "organisational", ApplicationChannel.Counter));
        service.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "br-certificate"));

        var early = Assert.Throws<ECertException>(() => service.Pay(application.Id, _world.Cash(Money.FromDollars(50))));
        Assert.Contains("must be approved", early.Message);
        var self = Assert.Throws<ECertException>(() => service.Approve(application.Id, "ra-001"));
        Assert.Contains("a second, different officer", self.Message);
        Assert.Equal(ApplicationState.IdentityVerified, service.Get(application.Id).State);

        Assert.Equal("ra-002", service.Approve(application.Id, "ra-002").ApprovedBy);
        var twice = Assert.Throws<ECertException>(() => service.Approve(application.Id, "ra-100"));
        Assert.Contains("already approved by ra-002", twice.Message);

        service.Pay(application.Id, _world.Cash(Money.FromDollars(50)));
        var (_, certificate) = service.Issue(application.Id, ServiceWorld.NewKey());
        Assert.Contains("Example Trading Ltd", certificate.Subject.Name.Name);
    }

    [Fact]
    public void AnUnpaidYearSuspendsTheCertificateOnOcspAndCrlAndPaymentResumesIt()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);

        // One year and the grace period later, the second year is unpaid.
        _world.AdvanceToWorkingMorning(365 + 31);
        var report = _world.Instance.Subscriptions().Sweep();
        Assert.Equal(1, report.SuspendedForNonPayment);
        var record = _world.Instance.Certificates.FindCertificate(serial)!;
        Assert.Equal((CertificateState.Suspended, "non-payment"), (record.State, record.SuspendedFor));
        Assert.Equal(OcspCertStatus.Revoked, OcspStatus(serial));
        Assert.Contains((serial, (int?)(int)RevocationReason.CertificateHold), CrlEntries(serial));
        Assert.Contains(_world.Instance.Notifications.ListFor(srn), n => n.Kind.StartsWith("suspended-non-payment:", StringComparison.Ordinal));
        Assert.Throws<ECertException>(() => _world.Instance.Status().Resume(serial));

        var (payment, period) = _world.Instance.Subscriptions().PaySubscription(serial, _world.Cash(Money.FromDollars(48)));
        Assert.Equal(Money.FromDollars(48), payment.Amount);
        Assert.Equal(CertificateState.Valid, _world.Instance.Certificates.FindCertificate(serial)!.State);
        Assert.Equal(OcspCertStatus.Good, OcspStatus(serial));
        Assert.DoesNotContain(CrlEntries(serial), e => e.Serial == serial);
        Assert.True(period.Ends > _world.Clock.GetUtcNow());
    }

    [Fact]
    public void ACertificateLeftUnpaidTooLongIsRevoked()
    {
        var (_, serial) = _world.IssuePersonal(_world.RegisterPerson());
        _world.AdvanceToWorkingMorning(365 + 31);
        _world.Instance.Subscriptions().Sweep();
        _world.AdvanceToWorkingMorning(91);
        Assert.Equal(1, _world.Instance.Subscriptions().Sweep().RevokedForNonPayment);
        var record = _world.Instance.Certificates.FindCertificate(serial)!;
        Assert.Equal((CertificateState.Revoked, RevocationReason.PrivilegeWithdrawn), (record.State, record.Reason));
    }

    [Fact]
    public void RenewalOpensInsideItsWindowKeepsTheSrnAndNeedsANewKey()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        // Keep the subscription paid so the certificate stays valid for three years.
        foreach (var year in new[] { 1, 2 })
        {
            _world.AdvanceToWorkingMorning(365);
            _world.Instance.Subscriptions().PaySubscription(serial, _world.Cash(Money.FromDollars(48)));
        }
        var notAfter = _world.Instance.Certificates.FindCertificate(serial)!.NotAfter;

        _world.SetHongKongTime(notAfter.AddDays(-40).Year, notAfter.AddDays(-40).Month, notAfter.AddDays(-40).Day, 10);
        var early = Assert.Throws<ECertException>(() => _world.Applications.SubmitRenewal(serial, ApplicationChannel.Online));
        Assert.Contains("renewal of", early.Message);
        Assert.Contains("opens on", early.Message);

        _world.SetHongKongTime(notAfter.AddDays(-10).Year, notAfter.AddDays(-10).Month, notAfter.AddDays(-10).Day, 10);
        Assert.Equal(1, _world.Instance.Subscriptions().Sweep().RemindersQueued);
        Assert.Contains(_world.Instance.Notifications.ListFor(srn), n => n.Kind == "renewal-reminder" && n.Recipient == "tm.chan@example.com");
        var renewal = _world.Applications.SubmitRenewal(serial, ApplicationChannel.Online);
        Assert.Equal((FeeKind.Renewal, ApplicationState.IdentityVerified, srn), (renewal.Kind, renewal.State, renewal.Srn));
        _world.Applications.Pay(renewal.Id, new PaymentRequest(PaymentChannel.ECheque, Money.FromDollars(48), Reference: srn));

        var oldDer = _world.Instance.Certificates.FindCertificate(serial)!.Der!;
        using var old = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(oldDer);
        var sameKey = Assert.Throws<ECertException>(() => _world.Applications.Issue(renewal.Id, old.PublicKey));
        Assert.Contains("new key pair", sameKey.Message);
        var (_, renewed) = _world.Applications.Issue(renewal.Id, ServiceWorld.NewKey());
        Assert.Equal(srn, _world.Instance.Certificates.FindCertificate(renewed.SerialHex)!.Srn);
        Assert.Contains("already has a renewal", Assert.Throws<ECertException>(() => _world.Applications.SubmitRenewal(serial, ApplicationChannel.Online)).Message);
    }

    [Fact]
    public void SuspendedRevokedAndExpiredCertificatesAreNotRenewed()
    {
        var srn = _world.RegisterPerson();
        var (_, suspended) = _world.IssuePersonal(srn);
        _world.Instance.Status().Suspend(suspended);
        Assert.Contains("only a valid certificate can be renewed", Assert.Throws<ECertException>(() => _world.Applications.SubmitRenewal(suspended, ApplicationChannel.Online)).Message);
        var (_, revoked) = _world.IssuePersonal(srn);
        _world.Instance.Status().Revoke(revoked, RevocationReason.Superseded);
        Assert.Throws<ECertException>(() => _world.Applications.SubmitRenewal(revoked, ApplicationChannel.Online));
    }

    [Fact]
    public void ACertificateNotAcceptedInTimeIsRevokedUnpublished()
    {
        var (application, serial) = _world.IssuePersonal(_world.RegisterPerson(), accept: false);
        _world.AdvanceToWorkingMorning(89);
        Assert.Equal(0, _world.Instance.Subscriptions().Sweep().AcceptanceExpired);
        _world.AdvanceToWorkingMorning(2);
        Assert.Contains("acceptance period", Assert.Throws<ECertException>(() => _world.Applications.Accept(application)).Message);
        Assert.Equal(1, _world.Instance.Subscriptions().Sweep().AcceptanceExpired);
        var record = _world.Instance.Certificates.FindCertificate(serial)!;
        Assert.Equal(CertificateState.Revoked, record.State);
        Assert.False(record.Published);
        Assert.Equal(ApplicationState.Expired, _world.Applications.Get(application).State);
    }

    [Fact]
    public void CounterWorkAtAClosedOutletIsRefusedAndChangesNothing()
    {
        var srn = _world.RegisterPerson();
        var application = _world.Applications.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter));
        _world.SetHongKongTime(2026, 11, 28, 15); // Saturday afternoon: closed
        var error = Assert.Throws<ECertException>(() => _world.Applications.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card")));
        Assert.Contains("closed at Sat 2026-11-28 15:00", error.Message);
        Assert.Equal(ApplicationState.Submitted, _world.Applications.Get(application.Id).State);

        var overridden = _world.Applications.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card", OverrideBy: "ra-100"));
        Assert.Equal("ra-100", overridden.HoursOverrideBy);
    }

    [Fact]
    public void WrongAmountsAndChannelsAreRefusedAndNothingIsCharged()
    {
        var srn = _world.RegisterPerson();
        var application = _world.Applications.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Online));
        _world.Applications.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card"));
        Assert.Contains("the fee is HK$48.00", Assert.Throws<ECertException>(() => _world.Applications.Pay(application.Id, _world.Cash(Money.FromDollars(50)))).Message);
        Assert.Contains("SRN", Assert.Throws<ECertException>(() => _world.Applications.Pay(application.Id,
            new PaymentRequest(PaymentChannel.ECheque, Money.FromDollars(48), Reference: "someone else"))).Message);
        Assert.Contains("negative", Assert.Throws<ECertException>(() => Money.Parse("-48")).Message);
        Assert.Contains("fractions of a cent", Assert.Throws<ECertException>(() => Money.Parse("48.001")).Message);
        var today = DateTimeOffset.UtcNow.AddYears(-10);
        Assert.Empty(_world.Instance.Applications.ListPayments(today, DateTimeOffset.MaxValue));
        Assert.Equal(ApplicationState.IdentityVerified, _world.Applications.Get(application.Id).State);
    }

    [Fact]
    public void RefundsReconciliationAndRevenueAddUp()
    {
        var first = _world.RegisterPerson();
        var second = _world.RegisterPerson("LEE Siu Fong", "B" + "654321(" + HkCheck("B", "654321") + ")");
        _world.IssuePersonal(first);
        var (application, _) = _world.IssuePersonal(second);
        var receipt = _world.Applications.Get(application).Receipt!;
        var reports = _world.Instance.Reports();
        var refund = reports.Refund(receipt, Money.FromDollars(20), "goodwill", "ra-001", "GPO");
        Assert.Contains("only HK$28.00", Assert.Throws<ECertException>(() => reports.Refund(receipt, Money.FromDollars(30), "again")).Message);

        var day = Assert.Single(reports.DailyReconciliation(new DateOnly(2026, 11, 27)));
        Assert.Equal(("GPO", 2, Money.FromDollars(96), 1, Money.FromDollars(20), Money.FromDollars(76)),
            (day.OutletCode, day.Payments, day.Taken, day.Refunds, day.Refunded, day.Net));
        var revenue = Assert.Single(reports.Revenue(2026));
        Assert.Equal((11, "personal", Money.FromDollars(76)), (revenue.Month, revenue.Product, revenue.Revenue));
        Assert.Equal(receipt, refund.RefundOf);
    }

    [Fact]
    public void APaidApplicationIsWithdrawnOnlyAfterAFullRefund()
    {
        var srn = _world.RegisterPerson();
        var application = _world.Applications.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter));
        _world.Applications.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card"));
        var (_, payment) = _world.Applications.Pay(application.Id, _world.Cash(Money.FromDollars(48)));
        Assert.Contains("refund receipt", Assert.Throws<ECertException>(() => _world.Applications.Withdraw(application.Id, "changed mind")).Message);
        _world.Instance.Reports().Refund(payment.Receipt, Money.FromDollars(20), "part");
        Assert.Throws<ECertException>(() => _world.Applications.Withdraw(application.Id, "changed mind"));
        _world.Instance.Reports().Refund(payment.Receipt, null, "the rest");
        Assert.Equal(ApplicationState.Withdrawn, _world.Applications.Withdraw(application.Id, "changed mind").State);
    }

    [Fact]
    public void ATwoYearOrganisationalECertIsValidForTwoYears()
    {
        var registry = _world.Instance.Registry();
        registry.RegisterOrganisation("34567890", "Example Logistics Ltd", "3 Harbour Road");
        var user = registry.RegisterMember("34567890", SubscriberKind.AuthorisedUser, "YIP Chi Wai", "cw.yip@example.com", null, false);
        var service = _world.Applications;
        var application = service.Submit(new SubmitRequest(user.Srn, "organisational", ApplicationChannel.Counter, TermYears: 2));
        service.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "br-certificate"));
        service.Approve(application.Id, "ra-002");
        service.Pay(application.Id, _world.Cash(Money.FromDollars(200)));
        var (_, issued) = service.Issue(application.Id, ServiceWorld.NewKey());
        var record = _world.Instance.Certificates.FindCertificate(issued.SerialHex)!;
        // Two calendar years (731 days across 29 February 2028), and the subscription covers them all.
        Assert.Equal(record.NotBefore.AddYears(2), record.NotAfter.AddSeconds(1));
        Assert.Equal(record.NotAfter, _world.Instance.Applications.ListPeriods(issued.SerialHex).Single().Ends);
    }

    [Fact]
    public void ARefundedApplicationIsNotIssuedAndRefundsNeverExceedThePayment()
    {
        var srn = _world.RegisterPerson();
        var application = _world.Applications.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter));
        _world.Applications.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card"));
        var (_, payment) = _world.Applications.Pay(application.Id, _world.Cash(Money.FromDollars(48)));
        _world.Instance.Reports().Refund(payment.Receipt, null, "changed mind");
        Assert.Contains("was refunded", Assert.Throws<ECertException>(() => _world.Applications.Issue(application.Id, ServiceWorld.NewKey())).Message);
        // The store itself refuses a refund beyond what is left, whatever the caller checked.
        var overRefund = payment with { Receipt = "", IsRefund = true, RefundOf = payment.Receipt, Amount = new Money(1) };
        Assert.Contains("left to refund", Assert.Throws<ECertException>(() => _world.Instance.Applications.RecordPayment(overRefund, null)).Message);
    }

    [Fact]
    public void ASubscriptionYearIsPaidOnceEvenWhenTwoCountersTryAtOnce()
    {
        var (_, serial) = _world.IssuePersonal(_world.RegisterPerson());
        var paidUntil = _world.Instance.Subscriptions().PaidUntil(serial);
        _world.Instance.Subscriptions().PaySubscription(serial, _world.Cash(Money.FromDollars(48)));
        // The second counter still believes the subscription is paid until the old date.
        var stale = new SubscriptionPeriod(serial, paidUntil, paidUntil.AddYears(1), null);
        var second = new Payment
        {
            Receipt = "", IsRefund = false, Srn = "0000000001", Serial = serial, Product = "personal", Channel = PaymentChannel.Online,
            Amount = Money.FromDollars(48), Reference = "GW-2", At = _world.Clock.GetUtcNow(),
        };
        Assert.Null(_world.Instance.Applications.RecordSubscriptionPayment(second, stale));
        Assert.Single(_world.Instance.Applications.ListPayments(DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue), p => p.Serial == serial);
    }

    [Fact]
    public void ARevokedCertificateIsNeitherAcceptedNorRenewed()
    {
        var srn = _world.RegisterPerson();
        var (application, serial) = _world.IssuePersonal(srn, accept: false);
        _world.Instance.Status().Revoke(serial, RevocationReason.KeyCompromise);
        Assert.Contains("will not be published", Assert.Throws<ECertException>(() => _world.Applications.Accept(application)).Message);
        Assert.False(_world.Instance.Certificates.FindCertificate(serial)!.Published);
    }

    [Fact]
    public void AnUnpaidApplicationCanBeRejectedWithAReason()
    {
        var application = _world.Applications.Submit(new SubmitRequest(_world.RegisterPerson(), "personal", ApplicationChannel.Online));
        Assert.Contains("needs a reason", Assert.Throws<ECertException>(() => _world.Applications.Reject(application.Id, "ra-001", " ")).Message);
        var rejected = _world.Applications.Reject(application.Id, "ra-001", "identity card photo does not match");
        Assert.Equal(ApplicationState.Rejected, rejected.State);
        Assert.Contains("ra-001", rejected.ClosedReason);
        Assert.Contains("terms are 1 to 3 years", Assert.Throws<ECertException>(() =>
            _world.Applications.Submit(new SubmitRequest(rejected.Srn, "personal", ApplicationChannel.Online, TermYears: 0))).Message);
    }

    [Fact]
    public void AnIssuanceInterruptedAfterSigningLeavesNoValidOrphan()
    {
        var srn = _world.RegisterPerson();
        var application = _world.Applications.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter));
        _world.Applications.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card"));
        _world.Applications.Pay(application.Id, _world.Cash(Money.FromDollars(48)));
        // The process signed and stored a certificate for the application, then stopped before recording it.
        var subscriber = _world.Instance.Subscribers.FindSubscriber(srn)!;
        var orphan = _world.Instance.Issuer().Issue(new ECert.Core.Issuance.IssuanceRequest("personal", ServiceWorld.NewKey(),
            new ECert.Core.Issuance.SubjectDetails { Name = subscriber.Name, IdentityDigest = subscriber.IdentityHash, Srn = srn },
            Publish: false, ApplicationId: application.Id));
        Assert.Equal(ApplicationState.Paid, _world.Applications.Get(application.Id).State);

        var (issued, certificate) = _world.Applications.Issue(application.Id, ServiceWorld.NewKey());
        Assert.Equal(certificate.SerialHex, issued.Serial);
        var left = _world.Instance.Certificates.FindCertificate(orphan.SerialHex)!;
        Assert.Equal((CertificateState.Revoked, RevocationReason.Superseded), (left.State, left.Reason));
        Assert.Single(_world.Instance.Applications.ListPeriods(certificate.SerialHex));
        Assert.Empty(_world.Instance.Applications.ListPeriods(orphan.SerialHex));
    }

    [Fact]
    public void ANoticeGoesOutThreeWeeksBeforeTheYearFallsDue()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        var paidUntil = _world.Instance.Subscriptions().PaidUntil(serial);
        _world.Clock.SetUtcNow(paidUntil.AddDays(-25));
        Assert.DoesNotContain(_world.Instance.Notifications.ListFor(srn), n => n.Kind.StartsWith("subscription-due", StringComparison.Ordinal));
        _world.Instance.Subscriptions().Sweep();
        Assert.DoesNotContain(_world.Instance.Notifications.ListFor(srn), n => n.Kind.StartsWith("subscription-due", StringComparison.Ordinal));
        _world.Clock.SetUtcNow(paidUntil.AddDays(-20));
        _world.Instance.Subscriptions().Sweep();
        _world.Instance.Subscriptions().Sweep();
        Assert.Single(_world.Instance.Notifications.ListFor(srn), n => n.Kind == $"subscription-due:{paidUntil:yyyy-MM-dd}");
    }

    private static char HkCheck(string prefix, string digits) => ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit(prefix, digits);
}
