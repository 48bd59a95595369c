using ECert.Core.Status;
using ECert.Core.Stores;

namespace ECert.Core.Service;

public enum RequestChannel { Counter, SignedEmail, Letter, Fax, Phone, Online }

public enum StatusAction { Revoke, Suspend, Resume }

/// <summary>
/// A request to revoke, suspend or resume a certificate: who asked, through which channel, when it
/// was received and when it was done, for the service-level figures (revocation turnaround).
/// </summary>
public sealed record StatusRequest
{
    public required string Id { get; init; }
    public required string Serial { get; init; }
    public required StatusAction Action { get; init; }
    public required RequestChannel Channel { get; init; }
    public required string RequestedBy { get; init; }
    public required string RequesterRole { get; init; }
    public RevocationReason? Reason { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? DoneAt { get; init; }
    /// <summary>pending-original (a fax waiting for the signed original) or done.</summary>
    public required string State { get; init; }
    public string? Note { get; init; }
    /// <summary>For requests made in person: the officer and outlet that took them.</summary>
    public string? OfficerId { get; init; }
    public string? OutletCode { get; init; }

    public static string ChannelName(RequestChannel channel) => channel switch
    {
        RequestChannel.SignedEmail => "signed-email",
        _ => channel.ToString().ToLowerInvariant(),
    };

    public static RequestChannel ParseChannel(string text) => text switch
    {
        "counter" => RequestChannel.Counter,
        "signed-email" => RequestChannel.SignedEmail,
        "letter" => RequestChannel.Letter,
        "fax" => RequestChannel.Fax,
        "phone" => RequestChannel.Phone,
        "online" => RequestChannel.Online,
        _ => throw ECertException.Invalid($"unknown request channel '{text}'; use counter, signed-email, letter, fax, phone or online"),
    };
}

public interface IStatusRequestStore
{
    string NextStatusRequestId(int year);
    void AddStatusRequest(StatusRequest request);
    bool UpdateStatusRequest(StatusRequest updated, string expectedState);
    StatusRequest? FindStatusRequest(string id);
    IReadOnlyList<StatusRequest> ListStatusRequests(DateTimeOffset from, DateTimeOffset until);
}

/// <summary>Revocation turnaround over a period: how many, and how long from receipt to done.</summary>
public sealed record TurnaroundReport(int Requests, int Done, int Pending, TimeSpan? Median, TimeSpan? Longest);

/// <summary>
/// Receives revocation, suspension and resumption requests. Who may ask: the subscriber the
/// certificate names; for an organisation's certificates also its Authorised Representatives; for
/// server certificates the Authorised Representatives only. Resumption is in person at a counter
/// only. A revocation asked by fax, phone or an online form suspends the certificate at once (where
/// suspension is allowed) and is completed when the signed original confirms it.
/// </summary>
public sealed class StatusRequestService(
    IStatusRequestStore requests,
    ISubscriberStore subscribers,
    IOutletStore outlets,
    CertificateStatusService status,
    CounterPolicy counter,
    TimeProvider time)
{
    /// <summary>
    /// Records and carries out a request. A request at the counter names the officer and outlet,
    /// and is held to the counter rules (assigned officer, outlet open, or a supervisor's override).
    /// </summary>
    public StatusRequest Receive(string serial, StatusAction action, RequestChannel channel, string requesterSrn, RevocationReason? reason = null,
        string? note = null, string? officerId = null, string? outletCode = null, string? overrideBy = null)
    {
        CounterContext? context = null;
        if (channel == RequestChannel.Counter)
        {
            if (officerId is null || outletCode is null)
                throw ECertException.Invalid("a request at the counter needs the officer and the outlet");
            var outlet = outlets.FindOutlet(outletCode) ?? throw ECertException.NotFound($"no outlet {outletCode}");
            var officer = outlets.FindOfficer(officerId) ?? throw ECertException.NotFound($"no RA officer {officerId}");
            var supervisor = overrideBy is null ? null : outlets.FindOfficer(overrideBy) ?? throw ECertException.NotFound($"no RA officer {overrideBy}");
            context = counter.Authorise(officer, outlet, "revocation", time.GetUtcNow(), supervisor);
        }
        var certificate = status.Get(serial);
        var holder = subscribers.FindSubscriber(certificate.Srn);
        var requester = subscribers.FindSubscriber(requesterSrn.Trim()) ?? throw ECertException.NotFound($"no subscriber with SRN {requesterSrn}");
        var role = RoleOf(requester, holder, certificate)
            ?? throw ECertException.Policy($"subscriber {requester.Srn} may not ask for a change to certificate {certificate.SerialHex}: "
                + (certificate.Profile == Profiles.BuiltInProfiles.Server
                    ? "server certificates are changed only at the request of the organisation's Authorised Representative"
                    : "only its subscriber (or, for an organisation, its Authorised Representative) may"));
        if (action == StatusAction.Resume && channel != RequestChannel.Counter)
            throw ECertException.Policy("a suspended certificate is resumed only in person at a service outlet");
        if (action == StatusAction.Revoke && reason is null)
            throw ECertException.Invalid("a revocation request needs a reason");

        var now = time.GetUtcNow();
        var request = new StatusRequest
        {
            Id = requests.NextStatusRequestId(ApplicationService.HongKongDate(now).Year),
            Serial = certificate.SerialHex,
            Action = action,
            Channel = channel,
            RequestedBy = requester.Srn,
            RequesterRole = role,
            Reason = reason,
            ReceivedAt = now,
            State = "pending-original",
            Note = note,
            OfficerId = context?.OfficerId,
            OutletCode = context?.OutletCode,
        };
        // The request is recorded before anything changes, so no change is ever without its request.
        requests.AddStatusRequest(request);
        if (action == StatusAction.Revoke && channel is RequestChannel.Fax or RequestChannel.Phone or RequestChannel.Online)
        {
            // A fax, a phone call or an unauthenticated online form is not proof enough to revoke:
            // the certificate is suspended at once to protect the subscriber, and revoked when the
            // signed original (or a signed e-mail, or a visit to the counter) confirms it.
            if (certificate.Profile != Profiles.BuiltInProfiles.Server && certificate.State == CertificateState.Valid)
                status.Suspend(certificate.SerialHex);
            return request;
        }
        Perform(request);
        var done = request with { State = "done", DoneAt = time.GetUtcNow() };
        if (!requests.UpdateStatusRequest(done, "pending-original"))
            throw ECertException.Conflict($"request {request.Id} changed while it was carried out");
        return done;
    }

    /// <summary>The signed original of a faxed revocation arrived: revoke now.</summary>
    public StatusRequest ConfirmOriginal(string id)
    {
        var request = requests.FindStatusRequest(id) ?? throw ECertException.NotFound($"no status request {id}");
        if (request.State != "pending-original")
            throw ECertException.Conflict($"request {id} is {request.State}; only a request waiting for its original can be confirmed");
        Perform(request);
        var done = request with { State = "done", DoneAt = time.GetUtcNow() };
        if (!requests.UpdateStatusRequest(done, "pending-original"))
            throw ECertException.Conflict($"request {id} changed while this ran");
        return done;
    }

    public TurnaroundReport Turnaround(DateTimeOffset from, DateTimeOffset until)
    {
        var all = requests.ListStatusRequests(from, until);
        var durations = all.Where(r => r.DoneAt is not null).Select(r => r.DoneAt!.Value - r.ReceivedAt).Order().ToList();
        return new TurnaroundReport(all.Count, durations.Count, all.Count - durations.Count,
            durations.Count == 0 ? null : durations[durations.Count / 2], durations.Count == 0 ? null : durations[^1]);
    }

    private void Perform(StatusRequest request)
    {
        switch (request.Action)
        {
            case StatusAction.Revoke:
                status.Revoke(request.Serial, request.Reason!.Value);
                break;
            case StatusAction.Suspend:
                status.Suspend(request.Serial);
                break;
            default:
                status.Resume(request.Serial);
                break;
        }
    }

    private static string? RoleOf(Subscriber requester, Subscriber? holder, CertificateRecord certificate)
    {
        var sameOrganisation = holder?.BrNumber is not null && requester.BrNumber == holder.BrNumber;
        if (certificate.Profile == Profiles.BuiltInProfiles.Server)
            return sameOrganisation && requester.IsAuthorisedRepresentative ? "authorised-representative" : null;
        if (requester.Srn == certificate.Srn) return holder?.Kind == SubscriberKind.Person ? "subscriber" : "authorised-user";
        return sameOrganisation && requester.IsAuthorisedRepresentative ? "authorised-representative" : null;
    }
}
