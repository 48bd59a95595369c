using ECert.Core.Service;
using ECert.Core.Settings;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ECert.Server;

/// <summary>What one delivery round did.</summary>
public sealed record DeliveryReport(int Sent, int Failed, string? LastError);

/// <summary>
/// Sends queued notifications (renewal reminders, suspension notices) by SMTP through the
/// operator's relay (Service.SmtpHost). Without a relay configured, mail stays queued. A failed
/// message is retried on later rounds, up to ten attempts, with the error kept.
/// </summary>
public sealed class MailSender(INotificationStore notifications, ServiceSettings settings, TimeProvider time)
{
    public async Task<DeliveryReport> SendDueAsync(int max, CancellationToken cancellation)
    {
        if (settings.SmtpHost is null) return new DeliveryReport(0, 0, "no SMTP relay configured (Service.SmtpHost); mail stays queued");
        var due = notifications.ListDue(time.GetUtcNow(), max);
        if (due.Count == 0) return new DeliveryReport(0, 0, null);
        int sent = 0, failed = 0;
        string? lastError = null;
        using var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, Security(), cancellation);
            if (settings.SmtpUser is not null)
                await client.AuthenticateAsync(settings.SmtpUser, Environment.GetEnvironmentVariable(settings.SmtpPasswordVariable) ?? "", cancellation);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException)
        {
            // The relay being down is not the messages' fault: they keep their attempts for later rounds.
            return new DeliveryReport(0, due.Count, $"cannot reach the SMTP relay {settings.SmtpHost}:{settings.SmtpPort}: {e.Message}");
        }
        foreach (var notification in due)
        {
            try
            {
                await client.SendAsync(Message(notification), cancellation);
                notifications.MarkSent(notification.Id, time.GetUtcNow());
                sent++;
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or ParseException)
            {
                notifications.MarkFailed(notification.Id, e.Message);
                lastError = e.Message;
                failed++;
                if (!client.IsConnected) break;
            }
        }
        if (client.IsConnected) await client.DisconnectAsync(quit: true, cancellation);
        return new DeliveryReport(sent, failed, lastError);
    }

    private MimeMessage Message(Notification notification)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.MailFrom));
        message.To.Add(MailboxAddress.Parse(notification.Recipient));
        message.Subject = notification.Subject;
        message.Headers.Add("X-ECert-Notification", notification.Kind);
        message.Body = new TextPart("plain") { Text = notification.Body };
        return message;
    }

    private SecureSocketOptions Security() => settings.SmtpSecurity switch
    {
        "none" => SecureSocketOptions.None,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
