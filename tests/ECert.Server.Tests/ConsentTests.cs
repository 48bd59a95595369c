using ECert.Core;
using ECert.Core.Audit;
using ECert.Core.Privacy;

namespace ECert.Server.Tests;

/// <summary>The consent register: opt-in only, withdrawal at once, campaign exports with only consented fields.</summary>
public sealed class ConsentTests : IDisposable
{
    private readonly ServiceWorld _world = new();
    private readonly AuditActor _marketing = new("operator-admin", "vas-desk", Purpose: "direct-marketing");

    public ConsentTests() =>
        Register.PublishNotice("PICS-2026-1", "We collect your name ... with your consent we may offer you ...",
            ["insurance-offers", "travel-offers"], ["name", "contact-email", "postal-address"]);

    public void Dispose() => _world.Dispose();

    private ConsentRegister Register => _world.Instance.ConsentRegister();

    private string Person(string name, string prefix, string digits) =>
        _world.Instance.Registry().RegisterPerson(new ECert.Core.Service.PersonRegistration(name,
            $"{prefix}{digits}({ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit(prefix, digits)})",
            ContactEmail: $"{name.Split(' ')[0].ToLowerInvariant()}@example.com", PostalAddress: "Flat A, 1 Test Road")).Subscriber.Srn;

    [Fact]
    public void OnlyActiveConsentsAppearWithOnlyTheirFields()
    {
        var optedIn = Person("CHAN Tai Man", "A", "111111");
        var withdrew = Person("LEE Siu Fong", "B", "222222");
        var never = Person("WONG Mei Ling", "C", "333333");
        var otherClass = Person("HO Ka Yee", "D", "444444");
        Register.Give(optedIn, "insurance-offers", ["name", "contact-email"], "PICS-2026-1", "counter", explicitOptIn: true);
        Register.Give(withdrew, "insurance-offers", ["name", "postal-address"], "PICS-2026-1", "online", explicitOptIn: true);
        Register.Give(otherClass, "travel-offers", ["name"], "PICS-2026-1", "online", explicitOptIn: true);
        _world.Clock.Advance(TimeSpan.FromMinutes(1));
        Register.Withdraw(withdrew, "insurance-offers", "online");

        var export = Register.CampaignExport("insurance-offers", _marketing);

        var record = Assert.Single(export);
        Assert.Equal(optedIn, record.Srn);
        Assert.Equal(["contact-email", "name"], record.Fields.Keys);
        Assert.DoesNotContain(export, r => r.Srn == withdrew || r.Srn == never || r.Srn == otherClass);
        var entry = _world.Instance.Audit.Entries().Last();
        Assert.Equal(("consent.campaign-export", "insurance-offers", "records=1"), (entry.Event.Action, entry.Event.Subject, entry.Event.Detail![..9]));
    }

    [Fact]
    public void AWithdrawalTakesEffectAtOnceAndHistoryIsKept()
    {
        var srn = Person("CHAN Tai Man", "A", "111111");
        Register.Give(srn, "insurance-offers", ["name"], "PICS-2026-1", "counter", explicitOptIn: true);
        Assert.Single(Register.CampaignExport("insurance-offers", _marketing));
        Register.Withdraw(srn, "insurance-offers", "online");
        Assert.Empty(Register.CampaignExport("insurance-offers", _marketing));
        var history = Assert.Single(Register.For(srn));
        Assert.Equal(("PICS-2026-1", "counter", "online"), (history.NoticeVersion, history.Channel, history.WithdrawnChannel));
        Assert.Contains("no active consent", Assert.Throws<ECertException>(() => Register.Withdraw(srn, "insurance-offers", "online")).Message);
    }

    [Fact]
    public void SilenceAndWhatTheNoticeDidNotSayAreNotConsent()
    {
        var srn = Person("CHAN Tai Man", "A", "111111");
        Assert.Contains("explicit opt-in", Assert.Throws<ECertException>(() =>
            Register.Give(srn, "insurance-offers", ["name"], "PICS-2026-1", "online", explicitOptIn: false)).Message);
        Assert.Contains("does not mention data kind", Assert.Throws<ECertException>(() =>
            Register.Give(srn, "insurance-offers", ["chinese-name"], "PICS-2026-1", "online", explicitOptIn: true)).Message);
        Assert.Contains("does not ask consent for", Assert.Throws<ECertException>(() =>
            Register.Give(srn, "loan-offers", ["name"], "PICS-2026-1", "online", explicitOptIn: true)).Message);
        Assert.Contains("cannot be given", Assert.Throws<ECertException>(() =>
            Register.PublishNotice("PICS-2026-2", "text", ["x"], ["identity-number"])).Message);
        Assert.Contains("at most 50000", Assert.Throws<ECertException>(() =>
            Register.PublishNotice("PICS-2026-2", new string('t', 50_001), ["x"], ["name"])).Message);
        Assert.Contains("1 to 60 characters", Assert.Throws<ECertException>(() =>
            Register.PublishNotice("PICS-2026-2", "text", [" "], ["name"])).Message);
        Assert.Empty(Register.For(srn));
    }

    [Fact]
    public void GivingAgainSupersedesTheEarlierConsent()
    {
        var srn = Person("CHAN Tai Man", "A", "111111");
        Register.Give(srn, "insurance-offers", ["name"], "PICS-2026-1", "counter", explicitOptIn: true);
        _world.Clock.Advance(TimeSpan.FromSeconds(1));
        Register.Give(srn, "insurance-offers", ["name", "postal-address"], "PICS-2026-1", "online", explicitOptIn: true);
        var record = Assert.Single(Register.CampaignExport("insurance-offers", _marketing));
        Assert.Equal(["name", "postal-address"], record.Fields.Keys);
        Assert.Equal(2, Register.For(srn).Count);
    }
}
