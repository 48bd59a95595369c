using ECert.Core.Ocsp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECert.Server;

/// <summary>
/// The responder's background work while the server runs: polls the store's status-change log
/// every <c>Ocsp.ChangePollMilliseconds</c> (a revocation committed by any process is re-signed
/// and out of the cache within that), and between polls signs responses that are missing or past
/// half their validity, a batch at a time, so serving is never starved. After the first walk over
/// every certificate, an idle responder only looks up what is due through indexes.
/// </summary>
public sealed partial class OcspPresignService(EcertInstance instance, OcspResponder responder, ILogger<OcspPresignService> logger) : BackgroundService
{
    private const int RefreshBatch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = instance.Settings.Ocsp;
        var presigner = instance.OcspPresigner(responder);
        var poll = TimeSpan.FromMilliseconds(settings.ChangePollMilliseconds);
        var idleUntil = DateTimeOffset.MinValue;
        var lastPrune = DateTimeOffset.MinValue;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            // The poll and the refresh fail separately: a certificate the poll cannot sign does not stop the refresh.
            try
            {
                var changed = presigner.PollChanges(settings.PresignThreads);
                if (changed > 0) LogChanges(changed);
            }
            catch (Exception e)
            {
                LogFailed(e);
            }
            try
            {
                var now = instance.Time.GetUtcNow();
                if (now >= idleUntil)
                {
                    var report = presigner.RefreshSome(RefreshBatch, settings.PresignThreads);
                    if (report.Stored > 0) LogSigned(report.Stored);
                    // Nothing due: look again in ten seconds (two index lookups); otherwise keep going at the next poll.
                    if (report.CycleFinished) idleUntil = now.AddSeconds(10);
                }
                if (now - lastPrune > TimeSpan.FromHours(1))
                {
                    instance.OcspResponses.PruneChanges(now.AddDays(-1));
                    lastPrune = now;
                }
            }
            catch (Exception e)
            {
                LogFailed(e);
            }
            try { await Task.Delay(poll, instance.Time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Dropped {Count} changed certificates from the OCSP cache and re-signed them (up to 1000 a poll)")]
    private partial void LogChanges(int count);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Pre-signed {Count} OCSP responses")]
    private partial void LogSigned(int count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "OCSP pre-signing failed; will retry")]
    private partial void LogFailed(Exception exception);
}
