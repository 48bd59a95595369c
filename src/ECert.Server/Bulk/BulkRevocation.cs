using System.Buffers;
using System.Text;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Asn1;
using ECert.Core.Bulk;
using ECert.Core.Issuance;
using ECert.Core.Status;

namespace ECert.Server.Bulk;

/// <summary>What to revoke: a file of hex serials, one a line, for one reason.</summary>
public sealed record BulkRevokeRequest(string InputPath, RevocationReason Reason, string RejectPath, int BatchSize = 5000);

/// <summary>
/// Revokes a list of certificates for an incident (a misissued batch, a compromised card series).
/// Per batch: check each serial (unknown, already revoked and repeated ones go to the reject file
/// with their line number), sync the rejects, then revoke the rest and move the checkpoint in one
/// transaction, which also withdraws their pre-signed OCSP responses: the responder stops serving
/// them within its poll interval, and the next CRLs list them. Resumable like bulk issuance.
/// </summary>
public sealed class BulkRevocation(EcertInstance instance)
{
    public BulkSummary Run(BulkRevokeRequest request, Action<BulkProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Reason == RevocationReason.CertificateHold)
            throw ECertException.Invalid("certificateHold is a suspension, not a revocation; bulk revocation is final");
        if (!RevocationReasons.ForSubscriberCertificates.Contains(request.Reason))
            throw ECertException.Invalid($"reason {request.Reason.Name()} does not apply to a subscriber certificate; use one of {string.Join(", ", RevocationReasons.ForSubscriberCertificates.Select(r => r.Name()))}");
        if (request.BatchSize is < 1 or > 100_000) throw ECertException.Invalid("the batch size must be between 1 and 100000");
        if (string.IsNullOrWhiteSpace(request.InputPath) || string.IsNullOrWhiteSpace(request.RejectPath))
            throw ECertException.Invalid("the input and reject files need names");
        var paths = new[] { request.InputPath, request.RejectPath }.Select(Path.GetFullPath).ToArray();
        if (paths[0] == paths[1]) throw ECertException.Invalid("the input and reject files must be different files");

        var proposed = new BulkJob
        {
            Kind = BulkKind.Revoke, JobKey = BulkJobRunner.JobKey(BulkKind.Revoke, request.Reason.Name(), paths), Reason = request.Reason,
            InputPath = paths[0], RejectPath = paths[1], InputSize = 0, InputModified = default, StartedAt = default,
        };
        var (job, _, _) = BulkJobRunner.OpenJob(instance, proposed, paths[1]);
        if (job.CompletedAt is not null)
            return new BulkSummary(job.Id, job.Checkpoint.NextLine - 1, job.Checkpoint.Done, job.Checkpoint.Rejected, job.Runs, 0, true, 0, TimeSpan.Zero);

        var started = instance.Time.GetTimestamp();
        using var reader = new InputLineReader(job.InputPath, job.Checkpoint.InputOffset, job.Checkpoint.NextLine);
        using var rejects = new CheckpointedFile(job.RejectPath, job.Checkpoint.RejectOffset);
        var checkpoint = job.Checkpoint;
        var startBytes = checkpoint.InputOffset;
        long doneThisRun = 0;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var lines = new List<InputLine>(request.BatchSize);
            while (lines.Count < request.BatchSize && reader.Next() is { } line) lines.Add(line);
            if (lines.Count == 0) break;

            var serials = new List<string>();
            var firstLineOf = new Dictionary<string, long>();
            var rejected = new ArrayBufferWriter<byte>(256);
            using var writer = new Utf8JsonWriter(rejected, BulkJobRunner.LineOptions);
            long rejectCount = 0;
            void Reject(InputLine line, string? serial, string error)
            {
                BulkJobRunner.WriteReject(rejected, writer, line.Number, "serial", serial, error);
                rejectCount++;
            }

            var candidates = new List<(InputLine Line, string Serial)>();
            foreach (var line in lines)
            {
                if (line.Problem is { } problem) { Reject(line, null, problem); continue; }
                var text = Encoding.UTF8.GetString(line.Bytes).Trim();
                string serial;
                try { serial = SerialNumbers.Normalize(text); }
                catch (ECertException e) { Reject(line, text.Length > 64 ? text[..64] : text, e.Message); continue; }
                if (firstLineOf.TryGetValue(serial, out var first)) { Reject(line, serial, $"the same serial as line {first}"); continue; }
                firstLineOf[serial] = line.Number;
                candidates.Add((line, serial));
            }
            var outcomes = instance.BulkJobs.CheckRevocations(candidates.Select(c => c.Serial).ToList());
            for (var i = 0; i < candidates.Count; i++)
            {
                if (outcomes[i] == BulkRevocationOutcome.Revoked) serials.Add(candidates[i].Serial);
                else Reject(candidates[i].Line, candidates[i].Serial, outcomes[i] == BulkRevocationOutcome.AlreadyRevoked
                    ? "the certificate is already revoked; revocation is final" : "no certificate with this serial was issued by this CA");
            }

            rejects.Append(rejected.WrittenSpan);
            if (rejectCount > 0) rejects.Sync();
            var last = lines[^1];
            var now = DerWriting.TruncateToSeconds(instance.Time.GetUtcNow());
            // A certificate revoked by someone else between the check and now is counted as revoked by them, not rejected.
            var proposedCheckpoint = checkpoint with
            {
                InputOffset = last.EndOffset, NextLine = last.Number + 1, RejectOffset = rejects.Length,
                Done = checkpoint.Done + serials.Count, Rejected = checkpoint.Rejected + rejectCount,
            };
            var revoked = instance.BulkJobs.RevokeBatch(job.Id, serials, request.Reason, now, proposedCheckpoint);
            checkpoint = proposedCheckpoint;
            doneThisRun += revoked;
            BulkJobRunner.Record(instance, "bulk.revoked", job,
                $"lines={lines[0].Number}-{last.Number} revoked={revoked} rejected={rejectCount} reason={request.Reason.Name()} first={serials.FirstOrDefault() ?? "-"} last={serials.LastOrDefault() ?? "-"}");
            progress?.Invoke(new BulkProgress(checkpoint.NextLine - 1, checkpoint.Done, checkpoint.Rejected, checkpoint.InputOffset, reader.Length,
                doneThisRun, instance.Time.GetElapsedTime(started)) { StartBytes = startBytes });
        }
        instance.BulkJobs.CompleteJob(job.Id, instance.Time.GetUtcNow());
        BulkJobRunner.Record(instance, "bulk.completed", job, $"lines={checkpoint.NextLine - 1} revoked={checkpoint.Done} rejected={checkpoint.Rejected} runs={job.Runs}");
        return new BulkSummary(job.Id, checkpoint.NextLine - 1, checkpoint.Done, checkpoint.Rejected, job.Runs, 0, false, doneThisRun, instance.Time.GetElapsedTime(started));
    }
}
