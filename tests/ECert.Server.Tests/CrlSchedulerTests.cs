using ECert.Core.Keys;
using ECert.Core.Settings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ECert.Server.Tests;

/// <summary>The server's own CRL runs, with a clock the test moves.</summary>
public sealed class CrlSchedulerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ecert-scheduler-" + Guid.NewGuid().ToString("N")[..8]);

    // 10:00 in Hong Kong: the next scheduled run is 14:15 HKT (06:15 UTC).
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private EcertInstance NewInstance()
    {
        var instance = EcertInstance.Create(_folder, new CaSettings(), () => "scheduler-test", _clock);
        instance.Hierarchy().Create(KeyAlgorithm.P256);
        return instance;
    }

    /// <summary>
    /// Waits for a run to finish: the server CA's partition CRL is the last one a run writes. Returns
    /// the Personal CA's full CRL number of that run.
    /// </summary>
    private static async Task<long> WaitForFullCrlNumberAbove(EcertInstance instance, long number)
    {
        for (var i = 0; i < 400; i++)
        {
            if (instance.Certificates.FindLatestCrl("personal-g1", null) is { } crl && crl.Number > number
                && instance.Certificates.FindLatestCrl("server-g1", 0) is { } last && last.ThisUpdate >= crl.ThisUpdate)
                return crl.Number;
            await Task.Delay(25);
        }
        throw new TimeoutException($"no CRL numbered above {number} was published");
    }

    [Fact]
    public async Task PublishesMissingCrlsAtStartThenAtEachScheduledTime()
    {
        var instance = NewInstance();
        Assert.Null(instance.Certificates.FindLatestCrl("personal-g1", null));
        using var scheduler = new CrlScheduler(instance, instance.CrlPublisher(), NullLogger<CrlScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            var first = await WaitForFullCrlNumberAbove(instance, 0);
            Assert.NotNull(instance.Certificates.FindLatestCrl("personal-g1", 0));
            // The root's CRL is signed only in a key ceremony, never by the schedule.
            Assert.Null(instance.Certificates.FindLatestCrl("root-g1", null));

            // Before 14:15 nothing is due: a minute passes and no new CRL appears.
            _clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(200);
            Assert.Equal(first, instance.Certificates.FindLatestCrl("personal-g1", null)!.Number);

            // At 14:16 HKT the scheduled run has come: the scheduler's timer fires and a new CRL is
            // issued at the fake time.
            _clock.SetUtcNow(new DateTimeOffset(2026, 11, 28, 6, 16, 0, TimeSpan.Zero));
            var second = await WaitForFullCrlNumberAbove(instance, first);
            var crl = instance.Certificates.FindLatestCrl("personal-g1", null)!;
            Assert.True(second > first);
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 6, 16, 0, TimeSpan.Zero), crl.ThisUpdate);
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 13, 0, 0, TimeSpan.Zero), crl.NextUpdate); // 19:00 HKT + 2 h
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }
    }
}
