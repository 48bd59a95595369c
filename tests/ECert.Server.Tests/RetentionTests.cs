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
}
