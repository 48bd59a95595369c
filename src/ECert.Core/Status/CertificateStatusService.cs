using ECert.Core.Asn1;
using ECert.Core.Issuance;
using ECert.Core.Stores;

namespace ECert.Core.Status;

/// <summary>
/// Revocation, suspension and resumption. Rules (RFC 5280 5.3.1): suspension is certificateHold
/// and only a held certificate can be resumed; revocation is final; a held certificate may be
/// revoked for good. Each change is one compare-and-set write, so two officers acting at once
/// cannot both succeed, and the OCSP responder sees it as soon as the write commits.
/// </summary>
public sealed class CertificateStatusService(ICertificateStore store, TimeProvider time)
{
    public CertificateRecord Get(string serial)
    {
        var serialHex = SerialNumbers.Normalize(serial);
        var record = store.FindCertificate(serialHex);
        if (record is null || record.State is CertificateState.Reserved or CertificateState.Abandoned)
            throw ECertException.NotFound($"no certificate with serial {serialHex} was issued by this CA");
        return record;
    }

    public CertificateRecord Revoke(string serial, RevocationReason reason, DateTimeOffset? invalidityDate = null)
    {
        if (reason == RevocationReason.CertificateHold)
            throw ECertException.Invalid("certificateHold is a suspension: use 'suspend', which can be undone with 'resume'");
        if (!RevocationReasons.ForSubscriberCertificates.Contains(reason))
            throw ECertException.Invalid($"reason {reason.Name()} does not apply to a subscriber certificate; use one of {string.Join(", ", RevocationReasons.ForSubscriberCertificates.Select(r => r.Name()))}");
        var now = DerWriting.TruncateToSeconds(time.GetUtcNow());
        if (invalidityDate is { } invalid && invalid > now)
            throw ECertException.Invalid("the invalidity date lies in the future; it is when the key is known or suspected to have been compromised");
        var record = Get(serial);
        if (record.State == CertificateState.Revoked)
            throw ECertException.Conflict($"certificate {record.SerialHex} is already revoked ({record.Reason?.Name()} at {record.RevokedAt:u}); revocation is final");
        return Apply(record, CertificateState.Revoked, now, reason, invalidityDate is null ? null : DerWriting.TruncateToSeconds(invalidityDate.Value));
    }

    public const string SuspendedOnRequest = "request";
    public const string SuspendedForNonPayment = "non-payment";

    /// <summary>Puts a valid certificate on hold, recording why (a request, or non-payment).</summary>
    public CertificateRecord Suspend(string serial, string cause = SuspendedOnRequest)
    {
        var record = Get(serial);
        if (record.Profile == Profiles.BuiltInProfiles.Server)
            throw ECertException.Policy($"certificate {record.SerialHex} is a TLS server certificate, which may not be suspended (Baseline Requirements 4.9.13); revoke it instead");
        if (record.State != CertificateState.Valid)
            throw ECertException.Conflict($"certificate {record.SerialHex} is {Describe(record)}; only a valid certificate can be suspended");
        return Apply(record, CertificateState.Suspended, DerWriting.TruncateToSeconds(time.GetUtcNow()), RevocationReason.CertificateHold, null, cause);
    }

    /// <summary>
    /// Resumes a certificate suspended on request. One suspended for non-payment resumes only when
    /// the payment is recorded (<see cref="ResumeAfterPayment"/>).
    /// </summary>
    public CertificateRecord Resume(string serial)
    {
        var record = Get(serial);
        if (record.State != CertificateState.Suspended)
            throw ECertException.Conflict($"certificate {record.SerialHex} is {Describe(record)}; only a suspended certificate can be resumed");
        if (record.SuspendedFor == SuspendedForNonPayment)
            throw ECertException.Conflict($"certificate {record.SerialHex} is suspended for non-payment; recording the subscription payment resumes it");
        return Apply(record, CertificateState.Valid, DerWriting.TruncateToSeconds(time.GetUtcNow()), null, null);
    }

    /// <summary>Resumes a certificate suspended for non-payment once its subscription is paid; others are left as they are.</summary>
    public CertificateRecord ResumeAfterPayment(string serial)
    {
        var record = Get(serial);
        return record is { State: CertificateState.Suspended, SuspendedFor: SuspendedForNonPayment }
            ? Apply(record, CertificateState.Valid, DerWriting.TruncateToSeconds(time.GetUtcNow()), null, null)
            : record;
    }

    public static string Describe(CertificateRecord record) => record.State switch
    {
        CertificateState.Valid => "valid",
        CertificateState.Suspended => $"suspended (certificateHold, {record.SuspendedFor ?? SuspendedOnRequest})",
        CertificateState.Revoked => $"revoked ({record.Reason?.Name()})",
        _ => record.State.ToString().ToLowerInvariant(),
    };

    private CertificateRecord Apply(CertificateRecord record, CertificateState to, DateTimeOffset at, RevocationReason? reason,
        DateTimeOffset? invalidityDate, string? suspendedFor = null)
    {
        var change = new StatusChange(record.SerialHex, record.State, to, at, reason, invalidityDate, suspendedFor);
        if (!store.ChangeStatus(change))
            throw ECertException.Conflict($"certificate {record.SerialHex} changed status while this request ran; check its status and try again");
        return store.FindCertificate(record.SerialHex)!;
    }
}
