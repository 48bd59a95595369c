using System.Security.Cryptography;
using System.Text;
using ECert.Core.Audit;
using ECert.Core.Service;

namespace ECert.Core.Privacy;

/// <summary>
/// A version of the Personal Information Collection Statement: the text shown when data is
/// collected, the classes of value-added services it asks consent for, and the kinds of data those
/// services may receive. A consent always names the version the person saw.
/// </summary>
public sealed record CollectionNotice(string Version, DateTimeOffset PublishedAt, string TextSha256, IReadOnlyList<string> ServiceClasses, IReadOnlyList<string> DataKinds);

/// <summary>One opt-in: a subscriber, one class of value-added service, the data kinds it covers.</summary>
public sealed record Consent
{
    public long Id { get; init; }
    public required string Srn { get; init; }
    public required string ServiceClass { get; init; }
    public required IReadOnlyList<string> DataKinds { get; init; }
    public required string NoticeVersion { get; init; }
    public required string Channel { get; init; }
    public required DateTimeOffset GivenAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
    public string? WithdrawnChannel { get; init; }

    public bool IsActiveAt(DateTimeOffset at) => GivenAt <= at && (WithdrawnAt is null || WithdrawnAt > at);
}

public interface IConsentStore
{
    void AddNotice(CollectionNotice notice);
    CollectionNotice? FindNotice(string version);
    /// <summary>Adds a consent, withdrawing in the same transaction any active one for the same subscriber and class.</summary>
    Consent Give(Consent consent);
    /// <summary>Withdraws the active consent; false when there was none.</summary>
    bool Withdraw(string srn, string serviceClass, DateTimeOffset at, string channel);
    IReadOnlyList<Consent> ListFor(string srn);
    /// <summary>Consents of a class active at <paramref name="at"/>.</summary>
    IReadOnlyList<Consent> ListActive(string serviceClass, DateTimeOffset at);
}

/// <summary>One row of a campaign export: the SRN and only the fields the consent names.</summary>
public sealed record CampaignRecord(string Srn, IReadOnlyDictionary<string, string> Fields);

/// <summary>
/// The consent register (Personal Data (Privacy) Ordinance, Cap. 486, direct marketing): opt-in
/// only, never inferred from silence or a pre-ticked box; tied to the notice version shown, the
/// channel and the time; withdrawal free and effective at once. A campaign export lists only
/// subscribers whose consent for that class is active at that moment, with only the data kinds
/// their consent names, and is itself recorded in the audit trail.
/// </summary>
public sealed class ConsentRegister(IConsentStore store, ISubscriberStore subscribers, AuditTrail audit, TimeProvider time)
{
    /// <summary>The kinds of data a value-added service may ever receive; never the identity number.</summary>
    public static readonly IReadOnlyList<string> KnownDataKinds = ["name", "chinese-name", "contact-email", "postal-address"];

    public static readonly IReadOnlyList<string> Channels = ["counter", "online", "paper-form"];

    /// <summary>A personal information collection statement runs to a page or two; 50,000 characters is ample.</summary>
    public const int MaxNoticeLength = 50_000;

    public CollectionNotice PublishNotice(string version, string text, IReadOnlyList<string> serviceClasses, IReadOnlyList<string> dataKinds)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Length > 40) throw ECertException.Invalid("a notice needs a version of 1 to 40 characters");
        if (string.IsNullOrWhiteSpace(text)) throw ECertException.Invalid("a notice needs its text");
        if (text.Length > MaxNoticeLength) throw ECertException.Invalid($"the notice is {text.Length} characters; a collection notice may have at most {MaxNoticeLength}");
        foreach (var serviceClass in serviceClasses)
            if (string.IsNullOrWhiteSpace(serviceClass) || serviceClass.Trim().Length > 60)
                throw ECertException.Invalid($"service class '{serviceClass}' must be 1 to 60 characters");
        if (serviceClasses.Count == 0) throw ECertException.Invalid("a notice names at least one class of value-added service");
        foreach (var kind in dataKinds)
            if (!KnownDataKinds.Contains(kind))
                throw ECertException.Invalid($"data kind '{kind}' cannot be given to a value-added service; use {string.Join(", ", KnownDataKinds)}");
        if (store.FindNotice(version) is not null) throw ECertException.Conflict($"notice {version} exists; notices are never edited, publish a new version");
        var notice = new CollectionNotice(version.Trim(), time.GetUtcNow(), Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))),
            serviceClasses.Select(c => c.Trim()).ToList(), dataKinds.ToList());
        store.AddNotice(notice);
        return notice;
    }

    /// <param name="explicitOptIn">The person actively ticked or said yes; anything else is no consent.</param>
    public Consent Give(string srn, string serviceClass, IReadOnlyList<string> dataKinds, string noticeVersion, string channel, bool explicitOptIn)
    {
        if (!explicitOptIn)
            throw ECertException.Policy("consent must be an explicit opt-in: silence, a pre-ticked box or a default is not consent (PDPO s.35)");
        var subscriber = subscribers.FindSubscriber(srn) ?? throw ECertException.NotFound($"no subscriber with SRN {srn}");
        var notice = store.FindNotice(noticeVersion) ?? throw ECertException.NotFound($"no collection notice {noticeVersion}");
        if (!notice.ServiceClasses.Contains(serviceClass))
            throw ECertException.Invalid($"notice {notice.Version} does not ask consent for '{serviceClass}'; it names {string.Join(", ", notice.ServiceClasses)}");
        if (dataKinds.Count == 0) throw ECertException.Invalid("a consent names the kinds of data it covers");
        foreach (var kind in dataKinds)
            if (!notice.DataKinds.Contains(kind))
                throw ECertException.Invalid($"notice {notice.Version} does not mention data kind '{kind}'; consent can only cover what the person was told");
        if (!Channels.Contains(channel)) throw ECertException.Invalid($"channel '{channel}' is not one of {string.Join(", ", Channels)}");
        return store.Give(new Consent
        {
            Srn = subscriber.Srn, ServiceClass = serviceClass, DataKinds = dataKinds.Distinct().ToList(), NoticeVersion = notice.Version,
            Channel = channel, GivenAt = time.GetUtcNow(),
        });
    }

    public void Withdraw(string srn, string serviceClass, string channel)
    {
        if (!store.Withdraw(srn, serviceClass, time.GetUtcNow(), channel))
            throw ECertException.NotFound($"subscriber {srn} has no active consent for '{serviceClass}'");
    }

    public IReadOnlyList<Consent> For(string srn) => store.ListFor(srn);

    /// <summary>The campaign list for a class of value-added service, as of now; recorded in the audit trail.</summary>
    public IReadOnlyList<CampaignRecord> CampaignExport(string serviceClass, AuditActor actor)
    {
        var now = time.GetUtcNow();
        var records = new List<CampaignRecord>();
        foreach (var consent in store.ListActive(serviceClass, now))
        {
            var subscriber = subscribers.FindSubscriber(consent.Srn);
            if (subscriber is null) continue;
            var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var kind in consent.DataKinds)
            {
                var value = kind switch
                {
                    "name" => subscriber.Name,
                    "chinese-name" => subscriber.ChineseName,
                    "contact-email" => subscriber.NotificationEmail,
                    "postal-address" => subscriber.PostalAddress,
                    _ => null,
                };
                if (value is not null) fields[kind] = value;
            }
            records.Add(new CampaignRecord(consent.Srn, fields));
        }
        audit.Record(new AuditEvent(actor.Role, actor.Id, "consent.campaign-export", serviceClass, actor.Outlet, "direct-marketing",
            Detail: $"records={records.Count} at={now:O}"));
        return records;
    }
}
