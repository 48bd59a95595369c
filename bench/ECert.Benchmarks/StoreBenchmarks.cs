using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ECert.Core.Bulk;
using ECert.Core.Issuance;
using ECert.Storage;

namespace ECert.Benchmarks;

/// <summary>
/// Storing bulk-issued certificates in SQLite as bulk issuance does: a batch of 1,000 reserved (one
/// bulk_batches row) and committed (1,000 certificate rows with a 600-byte DER each) into a store
/// already holding 200,000, with serials drawn wholly at random (as before time-ordered serials) or
/// as <see cref="SerialNumbers.NewSerial"/> draws them. Reported per certificate.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Batch = 1000;
    private const int StoredBefore = 200_000;

    [Params("random", "time-ordered")]
    public string Serials { get; set; } = "";

    private string _folder = null!;
    private SqliteBulkStore _bulk = null!;
    private long _job;
    private long _line;
    private readonly byte[] _der = RandomNumberGenerator.GetBytes(600);

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("ecert-bench-store-").FullName;
        var database = new SqliteDatabase(Path.Combine(_folder, "ecert.db"));
        database.Migrate();
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO certificate_authorities (slug, role, key_id, certificate, created_at) VALUES ('personal-g1', 'issuing', 'k', x'00', 0)";
            command.ExecuteNonQuery();
        }
        _bulk = new SqliteBulkStore(database);
        _job = _bulk.CreateJob(new BulkJob
        {
            Kind = BulkKind.Issue, JobKey = "bench", Profile = "personal-smartid", InputPath = "/in", InputSize = 0, InputModified = Fixtures.Now,
            OutputPath = "/out", RejectPath = "/rejects", StartedAt = Fixtures.Now,
        }).Id;
        for (var i = 0; i < StoredBefore / Batch; i++) StoreBatch();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "reserve + commit, per certificate")]
    public void StoreBatch()
    {
        var reservations = new List<BulkReservation>(Batch);
        for (var i = 0; i < Batch; i++, _line++)
            reservations.Add(new BulkReservation(SerialNumbers.ToHex(NextSerial()), _line, $"SC{_line:D10}", "CHAN Tai Man"));
        var batch = _bulk.ReserveBatch(_job, "personal-g1", "personal-smartid", reservations, Fixtures.Now, Fixtures.Now.AddYears(3), Fixtures.Now, 10_000);
        var issued = Enumerable.Range(0, Batch).Select(i => new BulkIssued(i, _der)).ToList();
        _bulk.CompleteIssueBatch(_job, batch, issued, [], BulkCheckpoint.Start with { NextLine = _line }, Fixtures.Now);
    }

    private byte[] NextSerial()
    {
        if (Serials == "time-ordered") return SerialNumbers.NewSerial();
        var serial = RandomNumberGenerator.GetBytes(SerialNumbers.Length);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }
}
