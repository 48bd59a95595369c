using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Asn1;
using ECert.Core.Bulk;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Profiles;
using ECert.Core.Stores;

namespace ECert.Server.Bulk;

/// <summary>What to issue: the bureau's input file, where the certificates and the rejected lines go.</summary>
public sealed record BulkIssueRequest(string Profile, string InputPath, string OutputPath, string RejectPath, int BatchSize = 1000, int Threads = 0);

/// <summary>
/// Issues a bureau file of smart ID card records, batch by batch, using every core. Per batch:
/// parse and check the records (in parallel) -> reserve their serials, SRNs and partitions (one
/// transaction) -> prepare, lint, sign and check each certificate (in parallel) -> append the
/// output and reject lines, sync them, and commit the certificates with the job's checkpoint (one
/// transaction, overlapping the next batch's signing). Killed at any point, the same command
/// resumes: the files are cut back to the last checkpoint, the reservations of the batch in flight
/// are abandoned (their serials never reused), and reading starts at the checkpoint's offset.
/// Memory is a few batches, whatever the size of the file.
/// </summary>
public sealed class BulkIssuance(EcertInstance instance)
{
    /// <summary>RSA signatures are checked every time (a faulty RSA-CRT signature leaks the key); ECDSA ones one in this many.</summary>
    public const int EcdsaCheckEvery = 16;

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Batch(List<InputLine> Lines, BulkCheckpoint Checkpoint, List<BulkIssued> Issued, List<(string, string)> Abandoned,
        byte[] Output, byte[] Rejects, long Rejected);

    public BulkSummary Run(BulkIssueRequest request, Action<BulkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var profile = ProfileFactory.Create(request.Profile, instance.Settings.Profiles);
        if (profile.SubjectTemplate != SubjectTemplate.Person)
            throw ECertException.Invalid($"bulk issuance is for certificates of persons (personal, personal-smartid); profile '{profile.Name}' is not one");
        if (request.BatchSize is < 1 or > 100_000) throw ECertException.Invalid("the batch size must be between 1 and 100000");
        var issuer = instance.Cas.FindCa(profile.IssuingCa)
            ?? throw ECertException.NotFound($"issuing CA '{profile.IssuingCa}' of profile '{profile.Name}' does not exist; run './ecert init' first");
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
        using var issuerKey = (AsymmetricAlgorithm?)issuer.Certificate.GetRSAPublicKey() ?? issuer.Certificate.GetECDsaPublicKey()!;
        var certificateIssuer = instance.Issuer();
        var protector = instance.IdentityProtector();
        var threads = request.Threads > 0 ? request.Threads : Environment.ProcessorCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };

        using var reader = new InputLineReader(job.InputPath, job.Checkpoint.InputOffset, job.Checkpoint.NextLine);
        using var output = new CheckpointedFile(job.OutputPath!, job.Checkpoint.OutputOffset);
        using var rejects = new CheckpointedFile(job.RejectPath, job.Checkpoint.RejectOffset);
        var checkpoint = job.Checkpoint;
        var startBytes = checkpoint.InputOffset;
        long doneThisRun = 0;
        Task pending = Task.CompletedTask;
        var signed = 0L;

        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var lines = new List<InputLine>(request.BatchSize);
            while (lines.Count < request.BatchSize && reader.Next() is { } line) lines.Add(line);
            if (lines.Count == 0) break;

            // 1. Parse and check every record.
            var records = new BureauRecord?[lines.Count];
            var errors = new string?[lines.Count];
            Parallel.For(0, lines.Count, parallel, i =>
            {
                if (lines[i].Problem is { } problem) { errors[i] = problem; return; }
                try { records[i] = BureauRecord.Parse(lines[i].Bytes); }
                catch (ECertException e) { errors[i] = e.Message; }
                catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException) { errors[i] = e.Message; }
            });

            // 2. Reserve serials, SRNs and partitions for the good ones, durably, before any signing.
            var accepted = Enumerable.Range(0, lines.Count).Where(i => records[i] is not null).ToList();
            var serials = accepted.Select(_ => SerialNumbers.NewSerial()).ToList();
            var notBefore = DerWriting.TruncateToSeconds(instance.Time.GetUtcNow());
            var notAfter = notBefore + TimeSpan.FromDays(profile.ValidityDays) - TimeSpan.FromSeconds(1);
            var reservations = accepted.Select((i, n) => new BulkReservation(SerialNumbers.ToHex(serials[n]), lines[i].Number, records[i]!.CardNumber, records[i]!.Name)).ToList();
            var slots = instance.BulkJobs.ReserveBatch(job.Id, issuer.Slug, profile.Name, reservations, notBefore, notAfter, instance.Time.GetUtcNow(),
                instance.Settings.CrlPartitionSize);
            foreach (var partition in slots.Select(s => s.Partition).Distinct())
                instance.CrlPublisher().EnsurePartitionPublished(issuer, partition);

            // 3. Prepare, lint, sign and check each certificate.
            var certificates = new byte[]?[accepted.Count];
            Parallel.For(0, accepted.Count, parallel, n =>
            {
                var record = records[accepted[n]]!;
                try
                {
                    var details = new SubjectDetails { Name = record.Name, IdentityDigest = protector.Digest(record.IdNumber), Email = record.Email, Srn = slots[n].Srn };
                    var subject = SubjectBuilder.Build(profile, details, slots[n].Srn);
                    var tbs = certificateIssuer.Prepare(profile, issuer, subject, record.PublicKey, serials[n], slots[n].Partition, notBefore, notAfter);
                    var findings = CertificateLinter.Lint(tbs, profile, issuer.Certificate);
                    if (findings.Count > 0) throw ECertException.Policy("the certificate failed pre-issuance checks: " + string.Join("; ", findings));
                    var der = tbs.Sign(key);
                    var check = key.Algorithm is KeyAlgorithm.Rsa2048 or KeyAlgorithm.Rsa3072 or KeyAlgorithm.Rsa4096
                        || Interlocked.Increment(ref signed) % EcdsaCheckEvery == 1;
                    if (check && !SignatureCheck.IsValid(der, issuerKey))
                        throw new ECertException(ErrorKind.Internal, "the signer produced a signature that does not verify with the CA certificate");
                    certificates[n] = der;
                }
                catch (Exception e) when (e is ECertException or CryptographicException)
                {
                    errors[accepted[n]] = e.Message;
                }
            });

            // 4. Write the batch's lines and commit it, while the next batch is being signed.
            var batch = Compose(lines, records, errors, accepted, reservations, certificates, checkpoint);
            checkpoint = batch.Checkpoint;
            pending.GetAwaiter().GetResult();
            pending = Task.Run(() =>
            {
                var committed = Commit(job, batch, output, rejects);
                doneThisRun += batch.Issued.Count;
                progress?.Invoke(new BulkProgress(committed.NextLine - 1, committed.Done, committed.Rejected, committed.InputOffset, reader.Length,
                    doneThisRun, instance.Time.GetElapsedTime(started)) { StartBytes = startBytes });
            }, CancellationToken.None);
        }
        pending.GetAwaiter().GetResult();
        instance.BulkJobs.CompleteJob(job.Id, instance.Time.GetUtcNow());
        var elapsed = instance.Time.GetElapsedTime(started);
        BulkJobRunner.Record(instance, "bulk.completed", job, $"lines={checkpoint.NextLine - 1} issued={checkpoint.Done} rejected={checkpoint.Rejected} runs={job.Runs}");
        return Summary(job, checkpoint, abandoned, alreadyComplete: false, doneThisRun, elapsed);
    }

    /// <summary>The batch's output and reject lines, in input order, and the checkpoint they lead to (offsets filled in at commit).</summary>
    private static Batch Compose(List<InputLine> lines, BureauRecord?[] records, string?[] errors, List<int> accepted,
        List<BulkReservation> reservations, byte[]?[] certificates, BulkCheckpoint before)
    {
        var output = new ArrayBufferWriter<byte>(accepted.Count * 1800 + 16);
        var rejected = new ArrayBufferWriter<byte>(256);
        var issued = new List<BulkIssued>(accepted.Count);
        var abandoned = new List<(string, string)>();
        var indexOf = new Dictionary<int, int>(accepted.Count);
        for (var n = 0; n < accepted.Count; n++) indexOf[accepted[n]] = n;
        using var outputWriter = new Utf8JsonWriter(output, LineOptions);
        using var rejectWriter = new Utf8JsonWriter(rejected, LineOptions);
        long rejectCount = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (indexOf.TryGetValue(i, out var n) && certificates[n] is { } der)
            {
                outputWriter.WriteStartObject();
                outputWriter.WriteString("cardNumber", records[i]!.CardNumber);
                outputWriter.WriteString("serial", reservations[n].SerialHex);
                outputWriter.WriteBase64String("certificate", der);
                outputWriter.WriteEndObject();
                outputWriter.Flush();
                output.Write("\n"u8);
                outputWriter.Reset(output);
                issued.Add(new BulkIssued(reservations[n].SerialHex, der));
                continue;
            }
            if (indexOf.TryGetValue(i, out n)) abandoned.Add((reservations[n].SerialHex, errors[i] ?? "not signed"));
            var card = records[i]?.CardNumber ?? (lines[i].Problem is null ? BureauRecord.TryReadCardNumber(lines[i].Bytes) : null);
            BulkJobRunner.WriteReject(rejectWriter, lines[i].Number, "cardNumber", card, errors[i] ?? "not issued");
            rejected.Write("\n"u8);
            rejectWriter.Reset(rejected);
            rejectCount++;
        }
        var last = lines[^1];
        var checkpoint = before with
        {
            InputOffset = last.EndOffset, NextLine = last.Number + 1, Done = before.Done + issued.Count, Rejected = before.Rejected + rejectCount,
        };
        return new Batch(lines, checkpoint, issued, abandoned, output.WrittenSpan.ToArray(), rejected.WrittenSpan.ToArray(), rejectCount);
    }

    private BulkCheckpoint Commit(BulkJob job, Batch batch, CheckpointedFile output, CheckpointedFile rejects)
    {
        output.Append(batch.Output);
        rejects.Append(batch.Rejects);
        output.Sync();
        if (batch.Rejects.Length > 0) rejects.Sync();
        var checkpoint = batch.Checkpoint with { OutputOffset = output.Length, RejectOffset = rejects.Length };
        instance.BulkJobs.CompleteIssueBatch(job.Id, batch.Issued, batch.Abandoned, checkpoint, instance.Time.GetUtcNow());
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var certificate in batch.Issued) digest.AppendData(certificate.Der);
        BulkJobRunner.Record(instance, "bulk.batch", job,
            $"lines={batch.Lines[0].Number}-{batch.Lines[^1].Number} issued={batch.Issued.Count} rejected={batch.Rejected} " +
            $"first={batch.Issued.FirstOrDefault()?.SerialHex ?? "-"} last={batch.Issued.LastOrDefault()?.SerialHex ?? "-"} sha256={Convert.ToHexString(digest.GetHashAndReset())}");
        return checkpoint;
    }

    private static BulkSummary Summary(BulkJob job, BulkCheckpoint checkpoint, int abandoned, bool alreadyComplete, long doneThisRun, TimeSpan elapsed) =>
        new(job.Id, checkpoint.NextLine - 1, checkpoint.Done, checkpoint.Rejected, job.Runs, abandoned, alreadyComplete, doneThisRun, elapsed);
}
