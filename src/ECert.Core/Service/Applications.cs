using ECert.Core.Billing;

namespace ECert.Core.Service;

/// <summary>
/// Where an application stands. Persons: submitted -> identity-verified -> paid -> issued ->
/// accepted. Organisational and server applications need an approval by a second officer after
/// the identity (document) check. Issued certificates not accepted in time end as expired (the
/// certificate is revoked unpublished).
/// </summary>
public enum ApplicationState { Submitted, IdentityVerified, Approved, Paid, Issued, Accepted, Expired, Rejected, Withdrawn }

public enum ApplicationChannel { Online, Counter }

public sealed record Application
{
    public required string Id { get; init; }
    public required string Srn { get; init; }
    public required string Profile { get; init; }
    public required FeeKind Kind { get; init; }
    public required ApplicationChannel Channel { get; init; }
    public required ApplicationState State { get; init; }
    public required int TermYears { get; init; }
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    public bool UsbMedium { get; init; }
    public int ExtraServers { get; init; }
    public string? RenewsSerial { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? VerifiedBy { get; init; }
    public string? VerifiedOutlet { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public string? DocumentType { get; init; }
    public string? PinEnvelope { get; init; }
    public string? HoursOverrideBy { get; init; }
    public string? ApprovedBy { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public Money? Fee { get; init; }
    public string? TariffCode { get; init; }
    public string? Receipt { get; init; }
    public string? Serial { get; init; }
    public DateTimeOffset? IssuedAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public string? ClosedReason { get; init; }

    /// <summary>Organisational, encipherment and server applications need a second officer's approval.</summary>
    public bool NeedsApproval => Profile is "organisational" or "encipherment" or "server";

    /// <summary>The priced product: the profile, or server-wildcard for a server with a wildcard name.</summary>
    public string Product => Profile == "server" && DnsNames.Any(n => n.StartsWith("*.", StringComparison.Ordinal)) ? "server-wildcard" : Profile;

    public static string StateName(ApplicationState state) => state switch
    {
        ApplicationState.IdentityVerified => "identity-verified",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static ApplicationState ParseState(string text) =>
        text == "identity-verified" ? ApplicationState.IdentityVerified : Enum.Parse<ApplicationState>(text, ignoreCase: true);

    /// <summary>Parses a state a person typed, naming the valid ones when it is not one.</summary>
    public static ApplicationState ParseStateOrThrow(string text)
    {
        var name = text.Trim().ToLowerInvariant();
        foreach (var state in Enum.GetValues<ApplicationState>())
            if (StateName(state) == name) return state;
        throw ECertException.Invalid($"unknown application state '{text}'; use {string.Join(", ", Enum.GetValues<ApplicationState>().Select(StateName))}");
    }
}

/// <summary>A payment or a refund, with its receipt number.</summary>
public enum PaymentChannel { CounterCash, Online, ECheque }

public sealed record Payment
{
    public required string Receipt { get; init; }
    public required bool IsRefund { get; init; }
    public required string Srn { get; init; }
    public string? ApplicationId { get; init; }
    public string? Serial { get; init; }
    public required string Product { get; init; }
    public required PaymentChannel Channel { get; init; }
    public required Money Amount { get; init; }
    public string? OutletCode { get; init; }
    public string? OfficerId { get; init; }
    public string? Reference { get; init; }
    public string? RefundOf { get; init; }
    public required DateTimeOffset At { get; init; }

    public static string ChannelName(PaymentChannel channel) => channel switch
    {
        PaymentChannel.CounterCash => "counter-cash",
        PaymentChannel.Online => "online",
        _ => "e-cheque",
    };

    public static PaymentChannel ParseChannel(string text) => text switch
    {
        "counter-cash" => PaymentChannel.CounterCash,
        "online" => PaymentChannel.Online,
        "e-cheque" => PaymentChannel.ECheque,
        _ => throw ECertException.Invalid($"unknown payment channel '{text}'; use counter-cash, online or e-cheque"),
    };
}

/// <summary>A paid period of a certificate's subscription.</summary>
public sealed record SubscriptionPeriod(string Serial, DateTimeOffset Starts, DateTimeOffset Ends, string? Receipt);

/// <summary>A certificate's subscription as the sweeps see it.</summary>
public sealed record SubscriptionStanding(
    string Serial,
    string Srn,
    string Profile,
    ECert.Core.Stores.CertificateState State,
    string? SuspendedFor,
    DateTimeOffset PaidUntil,
    DateTimeOffset NotAfter);

/// <summary>An e-mail to a subscriber (a renewal reminder, a suspension notice), queued until sent.</summary>
public sealed record Notification
{
    public long Id { get; init; }
    public required string Kind { get; init; }
    public string? Srn { get; init; }
    public string? Serial { get; init; }
    public required string Recipient { get; init; }
    public required string Subject { get; init; }
    public required string Body { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
}
