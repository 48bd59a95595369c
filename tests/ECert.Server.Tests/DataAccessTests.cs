using System.Text.Json;
using ECert.Core;
using ECert.Core.Audit;
using ECert.Core.Billing;

namespace ECert.Server.Tests;

/// <summary>Data access and correction requests: complete data out, 40-day clock, corrections recorded.</summary>
public sealed class DataAccessTests : IDisposable
{
    private readonly ServiceWorld _world = new();
    private readonly AuditActor _privacyOfficer = new("privacy-officer", "po-1", Purpose: "data-access-request");

    public void Dispose() => _world.Dispose();

    [Fact]
    public void TheSubscribersCompleteDataComesOutAsJsonAndADocumentWithoutTheClearNumber()
    {
        var srn = _world.RegisterPerson();
        var (_, serial) = _world.IssuePersonal(srn);
        var service = _world.Instance.DataAccess();
        var request = service.Open(srn, "access", "letter of 27 November");
        Assert.Equal(request.ReceivedAt.AddDays(40), request.DueAt);

        var (data, json, document) = service.Compile(request.Id, _privacyOfficer);

        Assert.Single(data.Applications);
        Assert.Single(data.Payments);
        using var parsed = JsonDocument.Parse(json);
        Assert.Equal("A123***(3)", parsed.RootElement.GetProperty("subscriber").GetProperty("identityNumber").GetString());
        Assert.Equal(serial, parsed.RootElement.GetProperty("certificates")[0].GetProperty("serial").GetString());
        Assert.Contains("CHAN Tai Man", document);
        Assert.Contains("HK$48.00", document);
        foreach (var text in new[] { json, document })
        {
            Assert.DoesNotContain("A123456", text);
            Assert.DoesNotContain("A1234563", text);
        }
        var read = _world.Instance.Audit.Entries().Last();
        Assert.Equal(("personal-data.read", srn, "data-access-request", "po-1"), (read.Event.Action, read.Event.Subject, read.Event.Purpose, read.Event.ActorId));
    }

    [Fact]
    public void AnUnansweredRequestIsOverdueAfterFortyDays()
    {
        var srn = _world.RegisterPerson();
        var service = _world.Instance.DataAccess();
        var request = service.Open(srn, "access");
        _world.Clock.Advance(TimeSpan.FromDays(39));
        Assert.Empty(service.Overdue());
        _world.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(request.Id, Assert.Single(service.Overdue()).Id);
        service.Complete(request.Id, "sent by post");
        Assert.Empty(service.Overdue());
        Assert.Throws<ECertException>(() => service.Complete(request.Id));
    }

    [Fact]
    public void CorrectionsOfContactDetailsAreAppliedAndRecorded()
    {
        var srn = _world.RegisterPerson();
        var service = _world.Instance.DataAccess();
        var corrected = service.Correct(srn, "contact-email", "new.address@example.com", _privacyOfficer);
        Assert.Equal("new.address@example.com", corrected.ContactEmail);
        Assert.Contains(_world.Instance.Audit.Entries(), e => e.Event.Action == "personal-data.corrected" && e.Event.Subject == srn);
        Assert.Contains("re-issue", Assert.Throws<ECertException>(() => service.Correct(srn, "name", "Someone Else", _privacyOfficer)).Message);
        Assert.Contains("not an e-mail", Assert.Throws<ECertException>(() => service.Correct(srn, "contact-email", "nonsense", _privacyOfficer)).Message);
    }
}
