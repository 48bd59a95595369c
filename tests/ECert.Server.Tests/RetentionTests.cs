using System.Security.Cryptography;
using System.Text.Json;
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
            var input = Path.Combine(folder, "bureau.jsonl");
            File.WriteAllLines(input, Enumerable.Range(1, 5).Select(i =>
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var digits = (200_000 + i).ToString("D6");
                return JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["cardNumber"] = $"CARD{i:D4}", ["name"] = $"WONG Siu Ming {i}",
                    ["idNumber"] = $"C{digits}({HkIdentityNumber.ComputeCheckDigit("C", digits)})",
                    ["publicKey"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
                });
            }));
            var summary = new BulkIssuance(_world.Instance).Run(
                new BulkIssueRequest("personal-smartid", input, Path.Combine(folder, "issued.jsonl"), Path.Combine(folder, "rejects.jsonl")));
            Assert.Equal(5, summary.Done);
            var serials = File.ReadAllLines(Path.Combine(folder, "issued.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("serial").GetString()!).ToList();
            var first = _world.Instance.Certificates.FindCertificate(serials[0])!;
            Assert.Contains("WONG Siu Ming 1", first.SubjectDisplay);
            var actor = new ECert.Core.Audit.AuditActor("privacy-officer", "po-1");

            _world.Clock.SetUtcNow(first.NotAfter.AddYears(7).AddDays(-1));
            Assert.Empty(_world.Instance.Retention().Run(dryRun: false, actor).BulkAnonymised);

            _world.Clock.SetUtcNow(first.NotAfter.AddYears(7).AddDays(1));
            var dry = Assert.Single(_world.Instance.Retention().Run(dryRun: true, actor).BulkAnonymised);
            Assert.Equal((summary.JobId, 5L), (dry.JobId, dry.Certificates));
            Assert.Equal(5, CardNumbersKept(summary.JobId)); // a dry run changes nothing

            var done = Assert.Single(_world.Instance.Retention().Run(dryRun: false, actor).BulkAnonymised);
            Assert.Equal(5, done.Certificates);
            Assert.Equal(0, CardNumbersKept(summary.JobId));
            foreach (var serial in serials)
            {
                var certificate = _world.Instance.Certificates.FindCertificate(serial)!;
                Assert.Equal("anonymised", certificate.SubjectDisplay);
                Assert.NotNull(certificate.Der); // the certificate, its SRN and status stay
            }
            Assert.Contains(_world.Instance.Audit.Entries(), e => e.Event.Action == "personal-data.anonymised"
                && e.Event.Subject == $"bulk-job:{summary.JobId}" && e.Event.Detail == $"certificates=5 last-expiry={dry.LastExpiry:yyyy-MM-dd}");
            Assert.Empty(_world.Instance.Retention().Run(dryRun: false, actor).BulkAnonymised); // once
            Assert.True(_world.Instance.Audit.Verify().Intact);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private int CardNumbersKept(long jobId)
    {
        var kept = 0;
        _world.Instance.BulkJobs.ForEachTakenCard(jobId, long.MaxValue, (_, _) => kept++);
        return kept;
    }
}
