using System.Security.Cryptography;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Identity;
using ECert.Server.Bulk;

namespace ECert.Server.Tests;

/// <summary>The retention schedule: personal data anonymised years after the last certificate expired; records kept.</summary>
public sealed class RetentionTests : IDisposable
{
    private readonly ServiceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void PersonalDataGoesSevenYearsAfterTheLastCertificateAndTheRecordsStay()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        var actor = new ECert.Core.Audit.AuditActor("privacy-officer", "po-1");
        var notAfter = _world.Instance.Certificates.FindCertificate(serial)!.NotAfter;

        _world.Clock.SetUtcNow(notAfter.AddYears(7).AddDays(-1));
        Assert.Empty(_world.Instance.Retention().Run(dryRun: false, actor).Anonymised);

        _world.Clock.SetUtcNow(notAfter.AddYears(7).AddDays(1));
        var dry = _world.Instance.Retention().Run(dryRun: true, actor);
        Assert.Equal(srn, Assert.Single(dry.Anonymised).Srn);
        Assert.Equal("CHAN Tai Man", _world.Instance.Subscribers.FindSubscriber(srn)!.Name); // a dry run changes nothing

        _world.Instance.Retention().Run(dryRun: false, actor);
        var subscriber = _world.Instance.Subscribers.FindSubscriber(srn)!;
        Assert.Equal(("anonymised", null, null, null), (subscriber.Name, subscriber.IdentityHash, subscriber.CertificateEmail, subscriber.PostalAddress));
        Assert.NotNull(_world.Instance.Certificates.FindCertificate(serial)!.Der); // the certificate is kept
        Assert.Single(_world.Instance.Applications.ListApplications(srn: srn)); // so are its records
        Assert.Contains(_world.Instance.Audit.Entries(), e => e.Event.Action == "personal-data.anonymised" && e.Event.Subject == srn);
        Assert.Empty(_world.Instance.Retention().Run(dryRun: false, actor).Anonymised); // once
        Assert.True(_world.Instance.Audit.Verify().Intact);
    }

    [Fact]
    public void BulkIssuedCardholdersNamesAndCardNumbersGoOnTheSameScheduleCountedPerJob()
    {
        var folder = Directory.CreateTempSubdirectory("ecert-retention-bulk-").FullName;
        try
        {
            var jobA = IssueBulk(folder, "a", cards: 5);
            var first = _world.Instance.Certificates.FindCertificate(jobA.Serials[0])!;
            Assert.Contains("WONG Siu Ming a1", first.SubjectDisplay);
            var killed = ReserveWithoutCommitting(folder, "killed", first.NotBefore, first.NotAfter);
            _world.Clock.Advance(TimeSpan.FromDays(400));
            var jobB = IssueBulk(folder, "b", cards: 2); // a year later: still within the retention period
            var actor = new ECert.Core.Audit.AuditActor("privacy-officer", "po-1");

            _world.Clock.SetUtcNow(first.NotAfter.AddYears(7).AddDays(-1));
            Assert.Empty(_world.Instance.Retention().Run(dryRun: false, actor).BulkAnonymised);

            _world.Clock.SetUtcNow(first.NotAfter.AddYears(7).AddDays(1));
            var dry = _world.Instance.Retention().Run(dryRun: true, actor).BulkAnonymised;
            Assert.Equal([(jobA.JobId, 5L), (killed.Id, 1L)], dry.Select(j => (j.JobId, j.Certificates)));
            Assert.Equal(5, CardNumbersKept(jobA.JobId)); // a dry run changes nothing

            var before = jobA.Serials.Select(serial => _world.Instance.Certificates.FindCertificate(serial)!).ToList();
            var done = _world.Instance.Retention().Run(dryRun: false, actor).BulkAnonymised;
            Assert.Equal([(jobA.JobId, 5L), (killed.Id, 1L)], done.Select(j => (j.JobId, j.Certificates)));
            foreach (var kept in before)
            {
                var certificate = _world.Instance.Certificates.FindCertificate(kept.SerialHex)!;
                Assert.Equal("anonymised", certificate.SubjectDisplay);
                // The certificate itself, its SRN and its status stay.
                Assert.Equal((kept.Srn, kept.State, kept.NotAfter), (certificate.Srn, certificate.State, certificate.NotAfter));
                Assert.Equal(kept.Der, certificate.Der);
            }
            Assert.Equal(0, CardNumbersKept(jobA.JobId));
            // Job B's cardholders are within the period: untouched.
            Assert.Equal(2, CardNumbersKept(jobB.JobId));
            Assert.Contains("WONG Siu Ming b1", _world.Instance.Certificates.FindCertificate(jobB.Serials[0])!.SubjectDisplay);
            // The killed run's batch keeps its serial (never reused) but not the name or card number.
            var reservations = BatchReservations(killed.Id);
            Assert.Contains(killed.Serial, reservations);
            Assert.DoesNotContain("LAM Ka Ho", reservations);
            Assert.DoesNotContain("KILLED0001", reservations);
            // Without its card numbers the unfinished job cannot tell which cards it issued: it is never resumed.
            var refused = Assert.Throws<ECertException>(() => new BulkIssuance(_world.Instance).Run(killed.Request));
            Assert.Equal(ErrorKind.Conflict, refused.Kind);
            Assert.Contains("cannot be resumed", refused.Message);

            foreach (var (job, rows) in new[] { (jobA.JobId, 5), (killed.Id, 1) })
                Assert.Contains(_world.Instance.Audit.Entries(), e => e.Event.Action == "personal-data.anonymised"
                    && e.Event.Subject == $"bulk-job:{job}" && e.Event.Detail == $"certificates={rows} last-expiry={first.NotAfter:yyyy-MM-dd}");
            Assert.Empty(_world.Instance.Retention().Run(dryRun: false, actor).BulkAnonymised); // once
            Assert.True(_world.Instance.Audit.Verify().Intact);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private (long JobId, List<string> Serials) IssueBulk(string folder, string name, int cards)
    {
        var input = Path.Combine(folder, $"{name}.jsonl");
        File.WriteAllLines(input, Enumerable.Range(1, cards).Select(i => BureauLine($"{name.ToUpperInvariant()}{i:D4}", $"WONG Siu Ming {name}{i}", i)));
        var output = Path.Combine(folder, $"{name}-issued.jsonl");
        var summary = new BulkIssuance(_world.Instance).Run(new BulkIssueRequest("personal-smartid", input, output, Path.Combine(folder, $"{name}-rejects.jsonl")));
        Assert.Equal(cards, summary.Done);
        return (summary.JobId, File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("serial").GetString()!).ToList());
    }

    /// <summary>A job whose run reserved a batch and was killed before signing it (and never resumed).</summary>
    private (long Id, string Serial, BulkIssueRequest Request) ReserveWithoutCommitting(string folder, string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new BulkIssueRequest("personal-smartid", Path.Combine(folder, $"{name}.jsonl"), Path.Combine(folder, $"{name}-issued.jsonl"),
            Path.Combine(folder, $"{name}-rejects.jsonl"));
        File.WriteAllLines(request.InputPath, [BureauLine("KILLED0001", "LAM Ka Ho", 9)]);
        var paths = new[] { request.InputPath, request.OutputPath, request.RejectPath };
        var (job, _, _) = BulkJobRunner.OpenJob(_world.Instance, new ECert.Core.Bulk.BulkJob
        {
            Kind = ECert.Core.Bulk.BulkKind.Issue, JobKey = BulkJobRunner.JobKey(ECert.Core.Bulk.BulkKind.Issue, request.Profile, paths), Profile = request.Profile,
            InputPath = paths[0], OutputPath = paths[1], RejectPath = paths[2], InputSize = 0, InputModified = default, StartedAt = default,
        }, paths[1], paths[2]);
        var serial = "01AB" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        _world.Instance.BulkJobs.ReserveBatch(job.Id, "personal-g1", request.Profile, [new ECert.Core.Bulk.BulkReservation(serial, 1, "KILLED0001", "CN=LAM Ka Ho")],
            notBefore, notAfter, notBefore, _world.Instance.Settings.CrlPartitionSize);
        return (job.Id, serial, request);
    }

    private static string BureauLine(string card, string name, int n)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var digits = (200_000 + n).ToString("D6");
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["cardNumber"] = card, ["name"] = name, ["idNumber"] = $"C{digits}({HkIdentityNumber.ComputeCheckDigit("C", digits)})",
            ["publicKey"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
        });
    }

    private string BatchReservations(long jobId)
    {
        using var connection = _world.Instance.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(reservations) FROM bulk_batches WHERE job_id = $job";
        command.Parameters.AddWithValue("$job", jobId);
        return Assert.IsType<string>(command.ExecuteScalar());
    }

    private int CardNumbersKept(long jobId)
    {
        var kept = 0;
        _world.Instance.BulkJobs.ForEachTakenCard(jobId, long.MaxValue, (_, _) => kept++);
        return kept;
    }
}
