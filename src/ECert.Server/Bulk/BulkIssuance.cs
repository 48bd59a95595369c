using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Asn1;
using ECert.Core.Bulk;
using ECert.Core.Issuance;
using ECert.Core.Profiles;
using ECert.Core.Stores;

namespace ECert.Server.Bulk;

/// <summary>What to issue: the bureau's input file, where the certificates and the rejected lines go.</summary>
public sealed record BulkIssueRequest(string Profile, string InputPath, string OutputPath, string RejectPath, int BatchSize = 1000, int Threads = 0);

/// <summary>
/// Issues a bureau file of smart ID card records, batch by batch, using every core. Per batch:
/// read and check the records, and reserve their serials, SRNs and partitions in one transaction
/// (one thread, a batch ahead) -> prepare, lint and sign each certificate (every core) -> append
/// the output and reject lines, sync them, and commit the certificates with the job's checkpoint
/// in one transaction (one thread, while the next batch is signed). Killed at any point, the same command
/// resumes: the files are cut back to the last checkpoint, the reservations of the batch in flight
/// are abandoned (their serials never reused), and reading starts at the checkpoint's offset.
/// Memory is a few batches, whatever the size of the file, plus the job's card numbers (<see cref="JobCards"/>).
/// </summary>
public sealed class BulkIssuance(EcertInstance instance)
{
    /// <summary>
    /// One signature in this many (the first of every run among them) is checked against the CA
    /// certificate. A faulty RSA-CRT signature would leak the key, but the software keystore signs
    /// with OpenSSL, which verifies every CRT result itself and recomputes it without CRT if it is
    /// wrong (rsa_ossl_mod_exp); the sample catches a signer that is wrong every time (a key that
    /// does not match its certificate, a broken HSM). Single issuance checks every signature.
    /// </summary>
    public const int SignatureCheckEvery = 16;

    private readonly Core.Crl.CrlPublisher _crls = instance.CrlPublisher();

    private sealed record Batch(long FirstLine, long LastLine, BulkCheckpoint Checkpoint, ReservedBulkBatch Stored, List<BulkIssued> Issued, List<BulkAbandoned> Abandoned,
        ArrayBufferWriter<byte> Output, ArrayBufferWriter<byte> Rejects, long Rejected);

    // The batches' output buffers (a couple of megabytes each) are reused: allocating them anew
    // each batch would put them on the large object heap and cost a full collection every few batches.
    private readonly System.Collections.Concurrent.ConcurrentBag<ArrayBufferWriter<byte>> _buffers = [];

    private ArrayBufferWriter<byte> RentBuffer()
    {
        if (!_buffers.TryTake(out var buffer)) return new ArrayBufferWriter<byte>(1 << 16);
        buffer.ResetWrittenCount();
        return buffer;
    }

    public BulkSummary Run(BulkIssueRequest request, Action<BulkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var profile = ProfileFactory.Create(request.Profile, instance.Settings.Profiles);
        if (profile.SubjectTemplate != SubjectTemplate.Person)
            throw ECertException.Invalid($"bulk issuance is for certificates of persons (personal, personal-smartid); profile '{profile.Name}' is not one");
        if (request.BatchSize is < 1 or > 100_000) throw ECertException.Invalid("the batch size must be between 1 and 100000");
        if (request.Threads < 0) throw ECertException.Invalid("the number of threads must be 0 (every core) or more");
        var issuer = instance.Cas.FindCa(profile.IssuingCa)
            ?? throw ECertException.NotFound($"issuing CA '{profile.IssuingCa}' of profile '{profile.Name}' does not exist; run './ecert init' first");
        if (new[] { request.InputPath, request.OutputPath, request.RejectPath }.Any(string.IsNullOrWhiteSpace))
            throw ECertException.Invalid("the input, output and reject files need names");
        var paths = new[] { request.InputPath, request.OutputPath, request.RejectPath }.Select(Path.GetFullPath).ToArray();
        if (paths.Distinct().Count() != 3) throw ECertException.Invalid("the input, output and reject files must be three different files");

        var proposed = new BulkJob
        {
            Kind = BulkKind.Issue, JobKey = BulkJobRunner.JobKey(BulkKind.Issue, profile.Name, paths), Profile = profile.Name,
            InputPath = paths[0], OutputPath = paths[1], RejectPath = paths[2], InputSize = 0, InputModified = default, StartedAt = default,
        };
        var (job, _, abandoned) = BulkJobRunner.OpenJob(instance, proposed, paths[1], paths[2]);
        var started = instance.Time.GetTimestamp();
        if (job.CompletedAt is not null)
            return Summary(job, job.Checkpoint, abandoned, alreadyComplete: true, 0, TimeSpan.Zero);

        var key = instance.Keys.GetSigningKey(issuer.KeyId);
        var issuerKey = issuer.VerificationKey;
        var certificateIssuer = instance.Issuer();
        var protector = instance.IdentityProtector();
        var threads = request.Threads > 0 ? request.Threads : Environment.ProcessorCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };
        var parsing = new ParallelOptions { MaxDegreeOfParallelism = threads };

        using var reader = new InputLineReader(job.InputPath, job.Checkpoint.InputOffset, job.Checkpoint.NextLine);
        using var output = new CheckpointedFile(job.OutputPath!, job.Checkpoint.OutputOffset);
        using var rejects = new CheckpointedFile(job.RejectPath, job.Checkpoint.RejectOffset);
        var checkpoint = job.Checkpoint;
        var startBytes = checkpoint.InputOffset;
        var cards = checkpoint.NextLine > 1 ? JobCards.Load(instance.BulkJobs, job.Id, checkpoint.NextLine) : new JobCards();
        long doneThisRun = 0;
        Task pending = Task.CompletedTask;
        var signed = 0L;

        // Three stages overlap: reading, checking and reserving the next batch (one thread), signing
        // this one (every core), and committing the previous one (one thread).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var reserved = new System.Collections.Concurrent.BlockingCollection<ReservedBatch>(boundedCapacity: 2);
        // The reader blocks while two batches wait to be signed: a thread of its own, so it never
        // holds one of the pool's threads that the signing loop and the commits need.
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested && Reserve(reader, request.BatchSize, job, profile, issuer, cards, parsing) is { } next)
                    reserved.Add(next, stop.Token);
            }
            finally
            {
                reserved.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var batch in reserved.GetConsumingEnumerable(cancellation))
            {
                var (lines, records, errors, accepted, stored, serials) = batch;
                var slots = stored.Slots;
                var certificates = new byte[]?[accepted.Count];
                Parallel.For(0, accepted.Count, parallel, n =>
                {
                    var record = records[accepted[n]]!;
                    try
                    {
                        var details = new SubjectDetails { Name = record.Name, IdentityDigest = protector.Digest(record.IdNumber), Email = record.Email };
                        var subject = SubjectBuilder.Build(profile, details, slots[n].Srn);
                        var tbs = certificateIssuer.Prepare(profile, issuer, subject, record.PublicKey, serials[n], slots[n].Partition, stored.NotBefore, stored.NotAfter);
                        var findings = CertificateLinter.Lint(tbs, profile, issuer.Certificate);
                        if (findings.Count > 0) throw ECertException.Policy("the certificate failed pre-issuance checks: " + string.Join("; ", findings));
                        var der = tbs.Sign(key);
                        if (Interlocked.Increment(ref signed) % SignatureCheckEvery == 1 && !SignatureCheck.IsValid(der, issuerKey))
                            throw new ECertException(ErrorKind.Internal, "the signer produced a signature that does not verify with the CA certificate");
                        certificates[n] = der;
                    }
                    catch (Exception e) when (e is ECertException or CryptographicException)
                    {
                        errors[accepted[n]] = e.Message;
                    }
                    // The record (its key objects above all) is not needed past its signature: let it go
                    // now rather than when the batch is committed, so the collector does not copy it
                    // from generation to generation while the batch waits (its card number is in the reservation).
                    records[accepted[n]] = null;
                });

                // Write the batch's lines and commit it, while the next batch is being signed.
                var composed = Compose(lines, errors, accepted, stored, certificates, checkpoint);
                checkpoint = composed.Checkpoint;
                pending.GetAwaiter().GetResult();
                pending = Task.Run(() =>
                {
                    var committed = Commit(job, composed, output, rejects);
                    doneThisRun += composed.Issued.Count;
                    progress?.Invoke(new BulkProgress(committed.NextLine - 1, committed.Done, committed.Rejected, committed.InputOffset, reader.Length,
                        doneThisRun, instance.Time.GetElapsedTime(started)) { StartBytes = startBytes });
                }, CancellationToken.None);
            }
            pending.GetAwaiter().GetResult();
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            // Stopping (Ctrl+C, an error): the batches reserved but not committed are abandoned when the job resumes.
            stop.Cancel();
            try { Task.WaitAll(pending, producer); } catch (Exception) { /* the first error is already on its way */ }
        }
        instance.BulkJobs.CompleteJob(job.Id, instance.Time.GetUtcNow());
        var elapsed = instance.Time.GetElapsedTime(started);
        BulkJobRunner.Record(instance, "bulk.completed", job, $"lines={checkpoint.NextLine - 1} issued={checkpoint.Done} rejected={checkpoint.Rejected} runs={job.Runs}");
        return Summary(job, checkpoint, abandoned, alreadyComplete: false, doneThisRun, elapsed);
    }

    private sealed record ReservedBatch(List<InputLine> Lines, BureauRecord?[] Records, string?[] Errors, List<int> Accepted,
        ReservedBulkBatch Stored, List<byte[]> Serials);

    /// <summary>
    /// Reads the next batch, checks its records, and reserves serials, SRNs and partitions for the
    /// good ones, durably, before any signing. Null at the end of the input.
    /// </summary>
    private ReservedBatch? Reserve(InputLineReader reader, int batchSize, BulkJob job, CertificateProfile profile, CaRecord issuer, JobCards cards,
        ParallelOptions parallel)
    {
        var lines = new List<InputLine>(batchSize);
        while (lines.Count < batchSize && reader.Next() is { } line) lines.Add(line);
        if (lines.Count == 0) return null;

        // Parsing is on every core: a record with a CSR costs a signature verification (about 130 µs),
        // which on one thread would hold the signers back.
        var records = new BureauRecord?[lines.Count];
        var errors = new string?[lines.Count];
        var ranges = System.Collections.Concurrent.Partitioner.Create(0, lines.Count, Math.Max(16, lines.Count / Math.Max(1, parallel.MaxDegreeOfParallelism)));
        try
        {
            Parallel.ForEach(ranges, parallel, range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    if (lines[i].Problem is { } problem) { errors[i] = problem; continue; }
                    try { records[i] = BureauRecord.Parse(lines[i].Bytes); }
                    catch (ECertException e) { errors[i] = e.Message; }
                    catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException) { errors[i] = e.Message; }
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Anything else is a fault, not a bad record: stop the job with its own message.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        for (var i = 0; i < lines.Count; i++)
        {
            if (records[i] is { } record && cards.Take(record.CardNumber, lines[i].Number) is { } first)
            {
                errors[i] = $"card number {record.CardNumber} is already in this job, at line {first}: a card gets one certificate";
                records[i] = null;
            }
        }

        var accepted = Enumerable.Range(0, lines.Count).Where(i => records[i] is not null).ToList();
        var serials = accepted.Select(_ => SerialNumbers.NewSerial()).ToList();
        var notBefore = DerWriting.TruncateToSeconds(instance.Time.GetUtcNow());
        var notAfter = notBefore + TimeSpan.FromDays(profile.ValidityDays) - TimeSpan.FromSeconds(1);
        var reservations = accepted.Select((i, n) => new BulkReservation(SerialNumbers.ToHex(serials[n]), lines[i].Number, records[i]!.CardNumber, records[i]!.Name)).ToList();
        var stored = instance.BulkJobs.ReserveBatch(job.Id, issuer.Slug, profile.Name, reservations, notBefore, notAfter, instance.Time.GetUtcNow(),
            instance.Settings.CrlPartitionSize);
        // A new partition's CRL exists before the first certificate naming it does.
        foreach (var partition in stored.Slots.Select(s => s.Partition).Distinct())
            _crls.EnsurePartitionPublished(issuer, partition);
        return new ReservedBatch(lines, records, errors, accepted, stored, serials);
    }

    /// <summary>The batch's output and reject lines, in input order, and the checkpoint they lead to (offsets filled in at commit).</summary>
    private Batch Compose(List<InputLine> lines, string?[] errors, List<int> accepted,
        ReservedBulkBatch stored, byte[]?[] certificates, BulkCheckpoint before)
    {
        var reservations = stored.Reservations;
        var output = RentBuffer();
        var rejected = RentBuffer();
        var issued = new List<BulkIssued>(accepted.Count);
        var abandoned = new List<BulkAbandoned>();
        var indexOf = new Dictionary<int, int>(accepted.Count);
        for (var n = 0; n < accepted.Count; n++) indexOf[accepted[n]] = n;
        using var outputWriter = new Utf8JsonWriter(output, BulkJobRunner.LineOptions);
        using var rejectWriter = new Utf8JsonWriter(rejected, BulkJobRunner.LineOptions);
        long rejectCount = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (indexOf.TryGetValue(i, out var n) && certificates[n] is { } der)
            {
                outputWriter.WriteStartObject();
                outputWriter.WriteString("cardNumber", reservations[n].CardNumber);
                outputWriter.WriteString("serial", reservations[n].SerialHex);
                outputWriter.WriteBase64String("certificate", der);
                outputWriter.WriteEndObject();
                BulkJobRunner.EndLine(output, outputWriter);
                issued.Add(new BulkIssued(n, der));
                continue;
            }
            string? card;
            if (indexOf.TryGetValue(i, out n))
            {
                abandoned.Add(new BulkAbandoned(n, errors[i] ?? "not signed"));
                card = reservations[n].CardNumber;
            }
            else card = lines[i].Problem is null ? BureauRecord.TryReadCardNumber(lines[i].Bytes) : null;
            BulkJobRunner.WriteReject(rejected, rejectWriter, lines[i].Number, "cardNumber", card, errors[i] ?? "not issued");
            rejectCount++;
        }
        var last = lines[^1];
        var checkpoint = before with
        {
            InputOffset = last.EndOffset, NextLine = last.Number + 1, Done = before.Done + issued.Count, Rejected = before.Rejected + rejectCount,
        };
        return new Batch(lines[0].Number, last.Number, checkpoint, stored, issued, abandoned, output, rejected, rejectCount);
    }

    private BulkCheckpoint Commit(BulkJob job, Batch batch, CheckpointedFile output, CheckpointedFile rejects)
    {
        output.Append(batch.Output.WrittenSpan);
        rejects.Append(batch.Rejects.WrittenSpan);
        output.Sync();
        if (batch.Rejects.WrittenCount > 0) rejects.Sync();
        _buffers.Add(batch.Output);
        _buffers.Add(batch.Rejects);
        var checkpoint = batch.Checkpoint with { OutputOffset = output.Length, RejectOffset = rejects.Length };
        instance.BulkJobs.CompleteIssueBatch(job.Id, batch.Stored, batch.Issued, batch.Abandoned, checkpoint, instance.Time.GetUtcNow());
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var certificate in batch.Issued) digest.AppendData(certificate.Der);
        BulkJobRunner.Record(instance, "bulk.batch", job,
            $"lines={batch.FirstLine}-{batch.LastLine} issued={batch.Issued.Count} rejected={batch.Rejected} " +
            $"first={Serial(batch.Issued.FirstOrDefault())} last={Serial(batch.Issued.LastOrDefault())} sha256={Convert.ToHexString(digest.GetHashAndReset())}");
        string Serial(BulkIssued? issued) => issued is null ? "-" : batch.Stored.Reservations[issued.Index].SerialHex;
        return checkpoint;
    }

    private static BulkSummary Summary(BulkJob job, BulkCheckpoint checkpoint, int abandoned, bool alreadyComplete, long doneThisRun, TimeSpan elapsed) =>
        new(job.Id, checkpoint.NextLine - 1, checkpoint.Done, checkpoint.Rejected, job.Runs, abandoned, alreadyComplete, doneThisRun, elapsed);
}
