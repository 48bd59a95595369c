using ECert.Core.Billing;

namespace ECert.Server.Tests;

/// <summary>Renewal reminders leave by SMTP through a real client to a local listener.</summary>
public sealed class MailTests : IDisposable
{
    private readonly ServiceWorld _world = new();
    private readonly LocalSmtpListener _smtp = new();

    public void Dispose()
    {
        _smtp.Dispose();
        _world.Dispose();
    }

    private string QueueReminder()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        foreach (var _ in new[] { 1, 2 })
        {
            _world.AdvanceToWorkingMorning(365);
            _world.Instance.Subscriptions().PaySubscription(serial, _world.Cash(Money.FromDollars(48)));
        }
        var notAfter = _world.Instance.Certificates.FindCertificate(serial)!.NotAfter.AddDays(-7);
        _world.SetHongKongTime(notAfter.Year, notAfter.Month, notAfter.Day, 10);
        Assert.Equal(1, _world.Instance.Subscriptions().Sweep().RemindersQueued);
        Assert.Equal(0, _world.Instance.Subscriptions().Sweep().RemindersQueued); // once per certificate
        return srn;
    }

    [Fact]
    public async Task QueuedRemindersAreSentOverSmtpAndMarkedSent()
    {
        var srn = QueueReminder();
        var service = _world.Instance.Settings.Service;
        (service.SmtpHost, service.SmtpPort, service.SmtpSecurity, service.MailFrom) = ("127.0.0.1", _smtp.Port, "none", "e-cert@post.example");

        var report = await _world.Instance.MailSender().SendDueAsync(10, CancellationToken.None);

        Assert.Equal((1, 0), (report.Sent, report.Failed));
        var message = Assert.Single(_smtp.Messages);
        Assert.Equal("<e-cert@post.example>", message.MailFrom.Split(' ')[0]);
        Assert.Equal(["<tm.chan@example.com>"], message.Recipients);
        Assert.Contains("Subject: Your e-Cert expires soon: renew it", message.Data);
        Assert.Contains("X-ECert-Notification: renewal-reminder", message.Data);
        var notification = Assert.Single(_world.Instance.Notifications.ListFor(srn));
        Assert.NotNull(notification.SentAt);
        Assert.Equal(0, (await _world.Instance.MailSender().SendDueAsync(10, CancellationToken.None)).Sent);
    }

    [Fact]
    public async Task AnUnreachableRelayLeavesTheMailQueuedWithTheError()
    {
        var srn = QueueReminder();
        var port = _smtp.Port;
        _smtp.Dispose(); // nothing listens there now
        var service = _world.Instance.Settings.Service;
        (service.SmtpHost, service.SmtpPort, service.SmtpSecurity) = ("127.0.0.1", port, "none");

        var report = await _world.Instance.MailSender().SendDueAsync(10, CancellationToken.None);

        Assert.Equal((0, 1), (report.Sent, report.Failed));
        Assert.Contains("cannot reach the SMTP relay", report.LastError);
        // The relay being down uses up none of the message's attempts: it goes out when the relay is back.
        var notification = Assert.Single(_world.Instance.Notifications.ListFor(srn));
        Assert.Null(notification.SentAt);
        Assert.Equal(0, notification.Attempts);
        Assert.Single(_world.Instance.Notifications.ListDue(_world.Clock.GetUtcNow(), 10));
    }

    [Fact]
    public async Task WithoutARelayMailStaysQueued()
    {
        var srn = QueueReminder();
        var report = await _world.Instance.MailSender().SendDueAsync(10, CancellationToken.None);
        Assert.Equal((0, 0), (report.Sent, report.Failed));
        Assert.Contains("no SMTP relay", report.LastError);
        Assert.Null(Assert.Single(_world.Instance.Notifications.ListFor(srn)).SentAt);
    }
}
