using ECert.Core.Crl;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECert.Server;

/// <summary>
/// Issues CRLs on the configured schedule while the server runs, and at start when any CRL is
/// missing or due. Wakes at least once a minute so a changed clock or a missed run is caught.
/// </summary>
public sealed partial class CrlScheduler(EcertInstance instance, CrlPublisher publisher, ILogger<CrlScheduler> logger) : BackgroundService
{
    private readonly CrlSchedule _schedule = new(instance.Settings.CrlSchedule);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = instance.Time;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (publisher.IsAnyCrlDue(time.GetUtcNow()))
                {
                    var reports = publisher.PublishAll();
                    LogPublished(reports.Count, reports.Sum(r => r.Entries));
                }
            }
            catch (Exception e)
            {
                LogFailed(e);
            }
            var wait = _schedule.NextRun(time.GetUtcNow()) - time.GetUtcNow();
            if (wait > TimeSpan.FromMinutes(1)) wait = TimeSpan.FromMinutes(1);
            if (wait < TimeSpan.FromSeconds(1)) wait = TimeSpan.FromSeconds(1);
            try { await Task.Delay(wait, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Published {Count} CRLs with {Entries} entries in all")]
    private partial void LogPublished(int count, int entries);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "CRL publication failed; will retry")]
    private partial void LogFailed(Exception exception);
}
