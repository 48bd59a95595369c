using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Audit;
using ECert.Core.Bulk;
using ECert.Core.Status;

namespace ECert.Server.Bulk;

/// <summary>Progress of a bulk job, reported after each committed batch.</summary>
public sealed record BulkProgress(long Lines, long Done, long Rejected, long BytesRead, long BytesTotal, long DoneThisRun, TimeSpan Elapsed)
{
    public double RatePerSecond => Elapsed.TotalSeconds > 0 ? DoneThisRun / Elapsed.TotalSeconds : 0;

    public TimeSpan? Remaining => BytesRead > 0 && BytesTotal > BytesRead && Elapsed.TotalSeconds > 0 && DoneThisRun > 0
        ? TimeSpan.FromSeconds(Elapsed.TotalSeconds / Math.Max(1, BytesRead - StartBytes) * (BytesTotal - BytesRead))
        : null;

    /// <summary>Where this run started reading, so the estimate uses this run's speed.</summary>
    public long StartBytes { get; init; }
}

/// <summary>What a finished (or already finished) bulk job did.</summary>
public sealed record BulkSummary(long JobId, long Lines, long Done, long Rejected, int Runs, int AbandonedOnResume, bool AlreadyComplete,
    long DoneThisRun, TimeSpan Elapsed);

/// <summary>
/// What bulk issuance and bulk revocation share: the job identified by its arguments, created or
/// resumed (files cut back to the checkpoint, interrupted reservations abandoned), and the audit
/// entries around it.
/// </summary>
public static class BulkJobRunner
{
    /// <summary>The same arguments name the same job, so running the same command again resumes it.</summary>
    public static string JobKey(BulkKind kind, string? profileOrReason, params string[] paths) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', [kind.ToString(), profileOrReason ?? "", .. paths]))));

    /// <summary>Finds the job these arguments name, or starts it; refuses to start over existing result files.</summary>
    public static (BulkJob Job, bool Resumed, int Abandoned) OpenJob(EcertInstance instance, BulkJob proposed, params string?[] resultFiles)
    {
        var store = instance.BulkJobs;
        var input = new FileInfo(proposed.InputPath);
        // A device or a pipe would be read forever (/dev/zero) or block; results go to files too.
        RegularFiles.RefuseSpecial(proposed.InputPath, "the input file");
        if (!input.Exists) throw ECertException.NotFound($"the input file {proposed.InputPath} does not exist");
        foreach (var file in resultFiles.OfType<string>()) RegularFiles.RefuseSpecial(file, "the result file");
        var existing = store.FindJob(proposed.JobKey);
        if (existing is null)
        {
            foreach (var file in resultFiles.OfType<string>())
            {
                if (File.Exists(file) && new FileInfo(file).Length > 0)
                    throw ECertException.Conflict($"{file} already exists and is not from an unfinished job with these arguments; move it away or choose another file");
                CheckWritable(file);
            }
            var job = store.CreateJob(proposed with { InputSize = input.Length, InputModified = input.LastWriteTimeUtc, StartedAt = instance.Time.GetUtcNow() });
            Record(instance, "bulk.started", job, $"kind={job.Kind} input={job.InputPath} bytes={job.InputSize} profile={job.Profile ?? "-"} reason={job.Reason?.Name() ?? "-"}");
            return (job, false, 0);
        }
        // A finished job answers with its summary, but only for the file it read: the same name
        // with new content is a new job, which needs other result files.
        if (existing.CompletedAt is not null && !SameInput(existing, input))
            throw ECertException.Conflict(
                $"{proposed.InputPath} changed since bulk job {existing.Id} completed ({existing.InputSize} bytes then, {input.Length} now); " +
                "to process the new content, give other output and reject files");
        if (existing.CompletedAt is not null) return (existing, true, 0);
        if (existing.AnonymisedAt is { } anonymised)
            throw ECertException.Conflict(
                $"bulk job {existing.Id} was left unfinished, and the retention schedule removed its cardholders' names and card numbers on " +
                $"{anonymised:yyyy-MM-dd}, so it cannot tell which cards it issued and cannot be resumed; start a new job with another output file");
        if (!SameInput(existing, input))
            throw ECertException.Conflict(
                $"{proposed.InputPath} changed since bulk job {existing.Id} started ({existing.InputSize} bytes then, {input.Length} now); a job resumes only over the same file");
        var abandoned = store.ResumeJob(existing.Id, instance.Time.GetUtcNow());
        var resumed = existing with { Runs = existing.Runs + 1 };
        Record(instance, "bulk.resumed", resumed,
            $"run={resumed.Runs} line={existing.Checkpoint.NextLine} done={existing.Checkpoint.Done} rejected={existing.Checkpoint.Rejected} abandoned={abandoned}");
        return (resumed, true, abandoned);
    }

    private static bool SameInput(BulkJob job, FileInfo input) =>
        job.InputSize == input.Length && job.InputModified.ToUnixTimeMilliseconds() == new DateTimeOffset(input.LastWriteTimeUtc).ToUnixTimeMilliseconds();

    /// <summary>A result file the job could not open would leave a started job behind: find out first.</summary>
    private static void CheckWritable(string file)
    {
        try
        {
            using (new FileStream(file, FileMode.OpenOrCreate, FileAccess.Write)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ECertException.Invalid($"cannot write {file}: {e.Message}");
        }
    }

    public static void Record(EcertInstance instance, string action, BulkJob job, string detail, string outcome = "ok")
    {
        var actor = instance.Actor;
        instance.Audit.Record(new AuditEvent(actor.Role, actor.Id, action, $"bulk-job/{job.Id}", actor.Outlet, actor.Purpose, outcome, detail));
    }

    /// <summary>Output and reject lines: compact JSON, base64 and non-ASCII names written as they are.</summary>
    public static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Ends the JSON value just written as a line, leaving the writer ready for the next one.</summary>
    public static void EndLine(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        writer.Flush();
        buffer.Write("\n"u8);
        writer.Reset(buffer);
    }

    /// <summary>A reject file line: <c>{"line": N, "cardNumber"|"serial": "...", "error": "..."}</c>.</summary>
    public static void WriteReject(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, long line, string? keyName, string? key, string error)
    {
        writer.WriteStartObject();
        writer.WriteNumber("line", line);
        if (keyName is not null && key is not null) writer.WriteString(keyName, key);
        writer.WriteString("error", error);
        writer.WriteEndObject();
        EndLine(buffer, writer);
    }
}
