using ECert.Core;
using ECert.Core.Service;
using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Server.Tests;

/// <summary>Requests to revoke, suspend and resume: who may ask, by which channel, and the times kept.</summary>
public sealed class StatusRequestTests : IDisposable
{
    private readonly ServiceWorld _world = new();

    public void Dispose() => _world.Dispose();

    private StatusRequestService Requests => _world.Instance.StatusRequestService();

    [Fact]
    public void TheSubscriberMayAskAndTheTimesAreKept()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        var suspended = Requests.Receive(serial, StatusAction.Suspend, RequestChannel.Phone, srn);
        Assert.Equal(("done", "subscriber"), (suspended.State, suspended.RequesterRole));
        Assert.NotNull(suspended.DoneAt);
        Assert.Contains("in person", Assert.Throws<ECertException>(() => Requests.Receive(serial, StatusAction.Resume, RequestChannel.Online, srn)).Message);
        Assert.Contains("needs the officer and the outlet", Assert.Throws<ECertException>(() => Requests.Receive(serial, StatusAction.Resume, RequestChannel.Counter, srn)).Message);
        var resumed = Requests.Receive(serial, StatusAction.Resume, RequestChannel.Counter, srn, officerId: "ra-001", outletCode: "GPO");
        Assert.Equal(("ra-001", "GPO"), (resumed.OfficerId, resumed.OutletCode));
        var revoked = Requests.Receive(serial, StatusAction.Revoke, RequestChannel.SignedEmail, srn, RevocationReason.KeyCompromise);
        Assert.Equal(CertificateState.Revoked, _world.Instance.Certificates.FindCertificate(serial)!.State);
        Assert.Equal(3, Requests.Turnaround(revoked.ReceivedAt.AddDays(-1), revoked.ReceivedAt.AddDays(1)).Done);
    }

    [Fact]
    public void SomeoneElseMayNotAsk()
    {
        var (_, serial) = _world.IssuePersonal(_world.RegisterPerson());
        var stranger = _world.RegisterPerson("LEE Siu Fong", "B654321(" + ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit("B", "654321") + ")");
        var error = Assert.Throws<ECertException>(() => Requests.Receive(serial, StatusAction.Revoke, RequestChannel.Letter, stranger, RevocationReason.Unspecified));
        Assert.Contains("only its subscriber", error.Message);
        Assert.Equal(CertificateState.Valid, _world.Instance.Certificates.FindCertificate(serial)!.State);
    }

    [Fact]
    public void AFaxedRevocationSuspendsAtOnceAndRevokesOnTheOriginal()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        var request = Requests.Receive(serial, StatusAction.Revoke, RequestChannel.Fax, srn, RevocationReason.KeyCompromise);
        Assert.Equal("pending-original", request.State);
        Assert.Equal(CertificateState.Suspended, _world.Instance.Certificates.FindCertificate(serial)!.State);
        Assert.Equal(1, Requests.Turnaround(request.ReceivedAt.AddDays(-1), request.ReceivedAt.AddDays(1)).Pending);

        _world.AdvanceToWorkingMorning(2);
        var done = Requests.ConfirmOriginal(request.Id);
        Assert.Equal(TimeSpan.FromDays(3), (done.DoneAt!.Value - done.ReceivedAt).RoundTo());
        var record = _world.Instance.Certificates.FindCertificate(serial)!;
        Assert.Equal((CertificateState.Revoked, RevocationReason.KeyCompromise), (record.State, record.Reason));
        Assert.Throws<ECertException>(() => Requests.ConfirmOriginal(request.Id));
    }

    [Fact]
    public void APhonedRevocationOnlySuspendsUntilConfirmed()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        var request = Requests.Receive(serial, StatusAction.Revoke, RequestChannel.Phone, srn, RevocationReason.KeyCompromise);
        Assert.Equal("pending-original", request.State);
        Assert.Equal(CertificateState.Suspended, _world.Instance.Certificates.FindCertificate(serial)!.State);
        Requests.ConfirmOriginal(request.Id);
        Assert.Equal(CertificateState.Revoked, _world.Instance.Certificates.FindCertificate(serial)!.State);
    }

    [Fact]
    public void ServerCertificatesAreChangedOnlyByTheAuthorisedRepresentative()
    {
        var registry = _world.Instance.Registry();
        registry.RegisterOrganisation("23456789", "Example Shop Ltd", "8 Nathan Road");
        var ar = registry.RegisterMember("23456789", SubscriberKind.AuthorisedUser, "NG Ka Ming", "km.ng@example.com", null, true);
        var server = registry.RegisterMember("23456789", SubscriberKind.Server, "www.shop.example.com", null, null, false);
        var service = _world.Applications;
        var application = service.Submit(new SubmitRequest(server.Srn, "server", ApplicationChannel.Online, DnsNames: ["www.shop.example.com"]));
        service.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "br-certificate"));
        service.Approve(application.Id, "ra-002");
        service.Pay(application.Id, new PaymentRequest(ECert.Core.Service.PaymentChannel.Online, ECert.Core.Billing.Money.FromDollars(2_500), Reference: "GW-77"));
        var (_, certificate) = service.Issue(application.Id, ServiceWorld.NewKey());

        Assert.Contains("Authorised Representative", Assert.Throws<ECertException>(() =>
            Requests.Receive(certificate.SerialHex, StatusAction.Revoke, RequestChannel.SignedEmail, server.Srn, RevocationReason.Superseded)).Message);
        var done = Requests.Receive(certificate.SerialHex, StatusAction.Revoke, RequestChannel.SignedEmail, ar.Srn, RevocationReason.Superseded);
        Assert.Equal("authorised-representative", done.RequesterRole);
    }
}

public sealed class ServerReissueTests : IDisposable
{
    private readonly ServiceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void AServerCertificateIsReissuedFreeWithinItsPaidYear()
    {
        var registry = _world.Instance.Registry();
        registry.RegisterOrganisation("45678901", "Example Web Ltd", "5 Des Voeux Road");
        var server = registry.RegisterMember("45678901", SubscriberKind.Server, "www.web.example.com", "webmaster@example.com", null, false);
        var service = _world.Applications;
        var application = service.Submit(new SubmitRequest(server.Srn, "server", ApplicationChannel.Online, DnsNames: ["www.web.example.com"]));
        service.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "br-certificate"));
        service.Approve(application.Id, "ra-002");
        service.Pay(application.Id, new PaymentRequest(ECert.Core.Service.PaymentChannel.Online, ECert.Core.Billing.Money.FromDollars(2_500), Reference: "GW-1"));
        var (_, first) = service.Issue(application.Id, ServiceWorld.NewKey());
        service.Accept(application.Id);
        var paidUntil = _world.Instance.Subscriptions().PaidUntil(first.SerialHex);
        var notAfter = _world.Instance.Certificates.FindCertificate(first.SerialHex)!.NotAfter;
        Assert.True(paidUntil > notAfter); // a 198-day certificate in a one-year subscription

        _world.Clock.SetUtcNow(notAfter.AddDays(-10));
        var renewal = service.SubmitRenewal(first.SerialHex, ApplicationChannel.Online);
        var quote = service.QuoteFor(renewal);
        Assert.Equal(ECert.Core.Billing.Money.Zero, quote.Total);
        Assert.Contains("re-issue within the subscription", quote.Lines[0].Description);
        service.Pay(renewal.Id, new PaymentRequest(ECert.Core.Service.PaymentChannel.Online, ECert.Core.Billing.Money.Zero, Reference: "no-charge"));
        var (_, second) = service.Issue(renewal.Id, ServiceWorld.NewKey());
        Assert.Equal(paidUntil, _world.Instance.Subscriptions().PaidUntil(second.SerialHex));
    }
}

internal static class TimeSpanRounding
{
    public static TimeSpan RoundTo(this TimeSpan span) => TimeSpan.FromDays(Math.Round(span.TotalDays));
}
