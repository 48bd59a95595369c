using System.Text;
using System.Text.Json;
using ECert.Core.Audit;
using ECert.Core.Service;
using ECert.Core.Stores;

namespace ECert.Core.Privacy;

/// <summary>A data access or correction request, with its 40-day clock (PDPO s.19).</summary>
public sealed record DataRequest
{
    public required string Id { get; init; }
    public required string Srn { get; init; }
    public required string Kind { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Note { get; init; }

    public bool IsOverdueAt(DateTimeOffset now) => CompletedAt is null && DueAt <= now;
}

public interface IDataRequestStore
{
    string NextDataRequestId(int year);
    void AddDataRequest(DataRequest request);
    DataRequest? FindDataRequest(string id);
    bool CompleteDataRequest(string id, DateTimeOffset at, string? note);
    IReadOnlyList<DataRequest> ListOpenDataRequests();
    /// <summary>Applies a correction to a subscriber's contact details and records it, in one transaction.</summary>
    void CorrectSubscriber(string srn, string field, string? value, DateTimeOffset at);
}

/// <summary>Everything the service holds about one subscriber, as a data access request returns it.</summary>
public sealed record SubscriberData(
    object Subscriber,
    Organisation? Organisation,
    IReadOnlyList<Application> Applications,
    IReadOnlyList<object> Certificates,
    IReadOnlyList<Payment> Payments,
    IReadOnlyList<Consent> Consents,
    IReadOnlyList<object> Notifications,
    DateTimeOffset CompiledAt);

/// <summary>
/// Data access and correction requests. A request starts a 40-day clock; the subscriber's
/// complete data comes out as JSON and as a readable document; corrections of contact details are
/// free and recorded; overdue requests are listed for the privacy officer. Every compilation is a
/// read of personal data and is recorded in the audit trail with its purpose.
/// </summary>
public sealed class DataAccessService(
    IDataRequestStore requests,
    ISubscriberStore subscribers,
    IApplicationStore applications,
    ICertificateStore certificates,
    IConsentStore consents,
    INotificationStore notifications,
    AuditTrail audit,
    TimeProvider time)
{
    public const int ResponseDays = 40;

    /// <summary>The contact details a subscriber may correct here; the name in a certificate changes only by re-issue.</summary>
    public static readonly IReadOnlyList<string> CorrectableFields = ["contact-email", "postal-address", "chinese-name"];

    public DataRequest Open(string srn, string kind, string? note = null)
    {
        if (kind is not ("access" or "correction")) throw ECertException.Invalid($"request kind '{kind}' is not access or correction");
        var subscriber = subscribers.FindSubscriber(srn) ?? throw ECertException.NotFound($"no subscriber with SRN {srn}");
        var now = time.GetUtcNow();
        var request = new DataRequest
        {
            Id = requests.NextDataRequestId(ApplicationService.HongKongDate(now).Year),
            Srn = subscriber.Srn, Kind = kind, ReceivedAt = now, DueAt = now.AddDays(ResponseDays), Note = note,
        };
        requests.AddDataRequest(request);
        return request;
    }

    /// <summary>Compiles the subscriber's data for an access request (recorded as a read of personal data).</summary>
    public (SubscriberData Data, string Json, string Document) Compile(string requestId, AuditActor actor)
    {
        var request = requests.FindDataRequest(requestId) ?? throw ECertException.NotFound($"no data request {requestId}");
        var s = subscribers.FindSubscriber(request.Srn)!;
        var apps = applications.ListApplications(srn: s.Srn);
        var serials = apps.Where(a => a.Serial is not null).Select(a => a.Serial!).Distinct().ToList();
        var certs = serials.Select(certificates.FindCertificate).Where(c => c is not null).Select(c => (object)new
        {
            serial = c!.SerialHex, profile = c.Profile, state = c.State.ToString().ToLowerInvariant(), notBefore = c.NotBefore, notAfter = c.NotAfter,
            revokedAt = c.RevokedAt, reason = c.Reason?.ToString(), published = c.Published,
        }).ToList();
        var payments = applications.ListPayments(DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue).Where(p => p.Srn == s.Srn).ToList();
        var data = new SubscriberData(
            new
            {
                srn = s.Srn, kind = Subscriber.KindName(s.Kind), name = s.Name, chineseName = s.ChineseName,
                // The identity number itself is not held: only this masked form and a keyed hash.
                identityNumber = s.IdentityMasked, certificateEmail = s.CertificateEmail, contactEmail = s.ContactEmail,
                postalAddress = s.PostalAddress, organisation = s.BrNumber, unit = s.OrgUnit, createdAt = s.CreatedAt,
            },
            s.BrNumber is null ? null : subscribers.FindOrganisation(s.BrNumber),
            apps, certs, payments, consents.ListFor(s.Srn),
            notifications.ListFor(s.Srn).Select(n => (object)new { kind = n.Kind, subject = n.Subject, recipient = n.Recipient, dueAt = n.DueAt, sentAt = n.SentAt }).ToList(),
            time.GetUtcNow());
        audit.Record(new AuditEvent(actor.Role, actor.Id, "personal-data.read", s.Srn, actor.Outlet, "data-access-request", Detail: request.Id));
        var json = JsonSerializer.Serialize(data, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        return (data, json, Document(request, data, s));
    }

    public DataRequest Complete(string requestId, string? note = null)
    {
        var request = requests.FindDataRequest(requestId) ?? throw ECertException.NotFound($"no data request {requestId}");
        if (request.CompletedAt is not null) throw ECertException.Conflict($"data request {requestId} was completed on {request.CompletedAt:yyyy-MM-dd}");
        var now = time.GetUtcNow();
        if (!requests.CompleteDataRequest(requestId, now, note)) throw ECertException.Conflict($"data request {requestId} changed meanwhile");
        return request with { CompletedAt = now, Note = note ?? request.Note };
    }

    /// <summary>Corrects a contact detail, free of charge; the correction is recorded with its time.</summary>
    public Subscriber Correct(string srn, string field, string? value, AuditActor actor)
    {
        if (!CorrectableFields.Contains(field))
            throw ECertException.Invalid($"'{field}' cannot be corrected here; correctable: {string.Join(", ", CorrectableFields)} (a name in a certificate changes by re-issue)");
        var subscriber = subscribers.FindSubscriber(srn) ?? throw ECertException.NotFound($"no subscriber with SRN {srn}");
        var clean = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (field == "contact-email" && clean is not null) clean = Issuance.SubjectBuilder.CheckEmail(clean, "contact e-mail");
        if (clean is not null) VisibleText.CheckLine(clean, field, field == "chinese-name" ? Service.SubscriberRegistry.MaxChineseNameLength : 300);
        requests.CorrectSubscriber(subscriber.Srn, field, clean, time.GetUtcNow());
        audit.Record(new AuditEvent(actor.Role, actor.Id, "personal-data.corrected", subscriber.Srn, actor.Outlet, "correction-request", Detail: field));
        return subscribers.FindSubscriber(subscriber.Srn)!;
    }

    public IReadOnlyList<DataRequest> Overdue() => requests.ListOpenDataRequests().Where(r => r.IsOverdueAt(time.GetUtcNow())).ToList();

    public IReadOnlyList<DataRequest> Open() => requests.ListOpenDataRequests();

    private static string Document(DataRequest request, SubscriberData data, Subscriber s)
    {
        var text = new StringBuilder();
        text.AppendLine("ECERT: THE PERSONAL DATA WE HOLD ABOUT YOU");
        text.AppendLine($"Request {request.Id}, received {request.ReceivedAt:yyyy-MM-dd}, compiled {data.CompiledAt:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine($"Subscriber Reference Number: {s.Srn}");
        text.AppendLine($"Name: {s.Name}{(s.ChineseName is null ? "" : $" ({s.ChineseName})")}");
        text.AppendLine($"Identity card number: {s.IdentityMasked ?? "-"} (we keep only this masked form and a keyed hash, never the number)");
        text.AppendLine($"Certificate e-mail: {s.CertificateEmail ?? "-"}   Contact e-mail: {s.ContactEmail ?? "-"}");
        text.AppendLine($"Postal address: {s.PostalAddress ?? "-"}");
        if (data.Organisation is { } org) text.AppendLine($"Organisation: {org.Name} (BR {org.BrNumber})");
        text.AppendLine();
        text.AppendLine($"Applications ({data.Applications.Count}):");
        foreach (var a in data.Applications) text.AppendLine($"  {a.Id}  {a.Profile}  {Application.StateName(a.State)}  {a.CreatedAt:yyyy-MM-dd}");
        text.AppendLine($"Certificates ({data.Certificates.Count}):");
        foreach (var c in data.Certificates) text.AppendLine($"  {c}");
        text.AppendLine($"Payments ({data.Payments.Count}):");
        foreach (var p in data.Payments) text.AppendLine($"  {p.Receipt}  {(p.IsRefund ? "refund" : "payment")}  {p.Amount.Display}  {p.At:yyyy-MM-dd}");
        text.AppendLine($"Consents to value-added services ({data.Consents.Count}):");
        foreach (var c in data.Consents)
            text.AppendLine($"  {c.ServiceClass}: {string.Join(", ", c.DataKinds)}; given {c.GivenAt:yyyy-MM-dd} ({c.Channel}, notice {c.NoticeVersion}){(c.WithdrawnAt is { } w ? $"; withdrawn {w:yyyy-MM-dd}" : "")}");
        text.AppendLine($"Messages sent or queued to you ({data.Notifications.Count}).");
        return text.ToString();
    }
}
