using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECert.Server;

/// <summary>
/// While the server runs: the subscription sweep (acceptance timeouts, non-payment, reminders) and
/// the delivery of queued mail, every Service.SweepIntervalMinutes.
/// </summary>
public sealed partial class ServiceSweeper(EcertInstance instance, ILogger<ServiceSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(instance.Settings.Service.SweepIntervalMinutes);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var report = instance.Subscriptions().Sweep();
                if (report.AcceptanceExpired + report.SuspendedForNonPayment + report.RevokedForNonPayment + report.RemindersQueued > 0)
                    LogSwept(report.AcceptanceExpired, report.SuspendedForNonPayment, report.RevokedForNonPayment, report.RemindersQueued);
                var delivery = await instance.MailSender().SendDueAsync(100, stoppingToken);
                if (delivery.Sent + delivery.Failed > 0) LogDelivered(delivery.Sent, delivery.Failed, delivery.LastError);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e);
            }
            try { await Task.Delay(interval, instance.Time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Sweep: {Expired} not accepted in time, {Suspended} suspended and {Revoked} revoked for non-payment, {Reminders} reminders queued")]
    private partial void LogSwept(int expired, int suspended, int revoked, int reminders);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Mail: {Sent} sent, {Failed} failed ({LastError})")]
    private partial void LogDelivered(int sent, int failed, string? lastError);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "The service sweep failed; will retry")]
    private partial void LogFailed(Exception exception);
}
