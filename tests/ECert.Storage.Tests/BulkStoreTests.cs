using ECert.Core;
using ECert.Core.Bulk;
using ECert.Core.Issuance;
using ECert.Storage;

namespace ECert.Storage.Tests;

/// <summary>
/// Bulk batches in SQLite: a batch is one reservation row until it is committed, its certificates
/// are written once, whole, and a batch left by a killed run becomes abandoned certificate rows.
/// </summary>
public sealed class BulkStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private readonly ScratchDatabase _scratch = new();
    private readonly SqliteBulkStore _bulk;
    private readonly long _job;

    public BulkStoreTests()
    {
        _bulk = new SqliteBulkStore(_scratch.Database);
        _job = _bulk.CreateJob(new BulkJob
        {
            Kind = BulkKind.Issue, JobKey = "job-1", Profile = "personal-smartid", InputPath = "/in", InputSize = 10, InputModified = T0,
            OutputPath = "/out", RejectPath = "/rejects", StartedAt = T0,
        }).Id;
    }

    public void Dispose() => _scratch.Dispose();

    private static List<BulkReservation> Reservations(int count, int firstLine) =>
        Enumerable.Range(0, count).Select(i => new BulkReservation(SerialNumbers.ToHex(SerialNumbers.NewSerial()), firstLine + i,
            $"SC{firstLine + i:D6}", $"CHAN Tai Man {firstLine + i}")).ToList();

    private ReservedBulkBatch Reserve(int count, int firstLine) =>
        _bulk.ReserveBatch(_job, "personal-g1", "personal-smartid", Reservations(count, firstLine), T0, T0.AddDays(1000), T0, partitionSize: 4);

    [Fact]
    public void ACommittedBatchStoresEachCertificateOnceWithItsSrnPartitionCardAndLine()
    {
        var first = Reserve(3, firstLine: 1);
        var second = Reserve(3, firstLine: 4);
        Assert.Equal(["0000000001", "0000000002", "0000000003"], first.Slots.Select(s => s.Srn));
        Assert.Equal([0, 0, 0, 0, 1, 1], first.Slots.Concat(second.Slots).Select(s => s.Partition));
        Assert.Equal(0, _scratch.Count("SELECT COUNT(*) FROM certificates"));
        Assert.Equal(2, _scratch.Count("SELECT COUNT(*) FROM bulk_batches"));

        var checkpoint = BulkCheckpoint.Start with { NextLine = 4, Done = 2, Rejected = 1 };
        _bulk.CompleteIssueBatch(_job, first, [new BulkIssued(0, [1, 2, 3]), new BulkIssued(2, [4, 5])], [new BulkAbandoned(1, "pre-issuance check failed")], checkpoint, T0);

        Assert.Equal(1, _scratch.Count("SELECT COUNT(*) FROM bulk_batches"));
        Assert.Equal(2, _scratch.Count($"SELECT COUNT(*) FROM certificates WHERE state = 'valid' AND published = 1 AND der IS NOT NULL AND bulk_job = {_job}"));
        Assert.Equal(1, _scratch.Count($"SELECT COUNT(*) FROM certificates WHERE serial = '{first.Reservations[1].SerialHex}' AND state = 'abandoned' AND abandon_reason = 'pre-issuance check failed'"));
        Assert.Equal(1, _scratch.Count($"SELECT COUNT(*) FROM certificates WHERE serial = '{first.Reservations[2].SerialHex}' AND srn = '0000000003' AND partition = 0 AND card_number = 'SC000003' AND bulk_line = 3"));
        Assert.Equal(checkpoint, _bulk.FindJob("job-1")!.Checkpoint);
        // A card whose signing failed was taken all the same: a later duplicate is rejected whether or not the job was resumed.
        var taken = new List<long>();
        _bulk.ForEachTakenCard(_job, checkpoint.NextLine, (_, line) => taken.Add(line));
        Assert.Equal([1L, 2L, 3L], taken.Order());

        // The same batch cannot be committed twice.
        var again = Assert.Throws<ECertException>(() => _bulk.CompleteIssueBatch(_job, first, [], [], checkpoint, T0));
        Assert.Contains("no longer reserved", again.Message);
    }

    [Fact]
    public void ResumingAbandonsEveryUncommittedBatchAndItsSerialsAreNeverReused()
    {
        var committed = Reserve(2, firstLine: 1);
        _bulk.CompleteIssueBatch(_job, committed, [new BulkIssued(0, [1]), new BulkIssued(1, [2])], [], BulkCheckpoint.Start with { NextLine = 3, Done = 2 }, T0);
        var inFlight = Reserve(3, firstLine: 3);
        var reservedAhead = Reserve(2, firstLine: 6);

        Assert.Equal(5, _bulk.ResumeJob(_job, T0.AddMinutes(1)));

        Assert.Equal(0, _scratch.Count("SELECT COUNT(*) FROM bulk_batches"));
        foreach (var reservation in inFlight.Reservations.Concat(reservedAhead.Reservations))
            Assert.Equal(1, _scratch.Count($"SELECT COUNT(*) FROM certificates WHERE serial = '{reservation.SerialHex}' AND state = 'abandoned' AND der IS NULL AND card_number = '{reservation.CardNumber}' AND bulk_line = {reservation.Line}"));
        Assert.Equal(2, _scratch.Count("SELECT COUNT(*) FROM certificates WHERE state = 'valid'"));
        Assert.Equal(2, _bulk.FindJob("job-1")!.Runs);

        // A resumed job knows the cards taken before its checkpoint, not those of the batches a resume abandoned.
        var cards = new List<(string, long)>();
        _bulk.ForEachTakenCard(_job, 3, (card, line) => cards.Add((card, line)));
        Assert.Equal([("SC000001", 1L), ("SC000002", 2L)], cards.Order());

        // A run still holding the abandoned batch cannot store it, and its serials are taken.
        var late = Assert.Throws<ECertException>(() => _bulk.CompleteIssueBatch(_job, inFlight, [new BulkIssued(0, [9])], [], BulkCheckpoint.Start, T0));
        Assert.Contains("no longer reserved", late.Message);
        Assert.Equal(0, _scratch.Count($"SELECT COUNT(*) FROM certificates WHERE state = 'valid' AND serial = '{inFlight.Reservations[0].SerialHex}'"));
    }

    [Fact]
    public void NamesOutsideAsciiKeepEveryCharacterThroughReservationCommitAndResume()
    {
        var names = new[] { "陳大文", "CHAN Tai Man 陳", "Zoë D'Souza" };
        var reservations = names.Select((name, i) => new BulkReservation(SerialNumbers.ToHex(SerialNumbers.NewSerial()), i + 1, $"SC{i + 1:D6}", name)).ToList();
        var committed = _bulk.ReserveBatch(_job, "personal-g1", "personal-smartid", reservations.Take(2).ToList(), T0, T0.AddDays(1000), T0, partitionSize: 4);
        _bulk.CompleteIssueBatch(_job, committed, [new BulkIssued(0, [1]), new BulkIssued(1, [2])], [], BulkCheckpoint.Start with { NextLine = 3, Done = 2 }, T0);
        _bulk.ReserveBatch(_job, "personal-g1", "personal-smartid", reservations.Skip(2).ToList(), T0, T0.AddDays(1000), T0, partitionSize: 4);
        _bulk.ResumeJob(_job, T0.AddMinutes(1)); // the second batch comes back from its reservation row as abandoned rows

        foreach (var reservation in reservations)
            Assert.Equal(1, _scratch.Count($"SELECT COUNT(*) FROM certificates WHERE serial = '{reservation.SerialHex}' AND subject = '{reservation.SubjectDisplay.Replace("'", "''")}'"));
    }

    [Fact]
    public void ABatchWithASerialAlreadyStoredIsRefusedWholeAndStaysReserved()
    {
        var batch = Reserve(3, firstLine: 1);
        var other = Reserve(1, firstLine: 4);
        _bulk.CompleteIssueBatch(_job, other, [new BulkIssued(0, [7])], [], BulkCheckpoint.Start with { NextLine = 5, Done = 1 }, T0);
        // The same serial in two batches cannot happen with drawn serials; a copy of the stored one stands for it here.
        var clash = batch with { Reservations = [batch.Reservations[0], other.Reservations[0], batch.Reservations[2]] };

        var error = Assert.Throws<ECertException>(() => _bulk.CompleteIssueBatch(_job, clash,
            [new BulkIssued(0, [1]), new BulkIssued(1, [2]), new BulkIssued(2, [3])], [], BulkCheckpoint.Start with { NextLine = 4, Done = 3 }, T0));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Contains($"serial {other.Reservations[0].SerialHex} is already used", error.Message);
        Assert.Equal(1, _scratch.Count("SELECT COUNT(*) FROM certificates"));
        Assert.Equal(1, _scratch.Count($"SELECT COUNT(*) FROM bulk_batches WHERE id = {batch.Id}"));
        Assert.Equal(BulkCheckpoint.Start with { NextLine = 5, Done = 1 }, _bulk.FindJob("job-1")!.Checkpoint);
    }
}
