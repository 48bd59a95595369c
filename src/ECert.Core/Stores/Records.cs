using System.Security.Cryptography.X509Certificates;
using ECert.Core.Status;

namespace ECert.Core.Stores;

public enum CaRole { Root, Issuing }

/// <summary>A CA of the hierarchy: its certificate and the keystore id of its key.</summary>
public sealed class CaRecord
{
    private X509Certificate2? _certificate;

    public required string Slug { get; init; }
    public required CaRole Role { get; init; }
    public string? ParentSlug { get; init; }
    public required string KeyId { get; init; }
    public required byte[] CertificateDer { get; init; }

    public X509Certificate2 Certificate => _certificate ??= X509CertificateLoader.LoadCertificate(CertificateDer);

    private System.Security.Cryptography.AsymmetricAlgorithm? _verificationKey;

    /// <summary>The CA's public key, opened once: opening it from the certificate costs more than an RSA verification.</summary>
    public System.Security.Cryptography.AsymmetricAlgorithm VerificationKey =>
        _verificationKey ??= (System.Security.Cryptography.AsymmetricAlgorithm?)Certificate.GetRSAPublicKey() ?? Certificate.GetECDsaPublicKey()
            ?? throw new ECertException(ErrorKind.Internal, $"the certificate of CA {Slug} has neither an RSA nor an EC key");
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    public byte[] SubjectKeyIdentifier =>
        Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
}

/// <summary>The delegated OCSP responder of an issuing CA (RFC 6960 4.2.2.2).</summary>
public sealed record OcspResponderRecord(string CaSlug, string KeyId, byte[] CertificateDer, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>
/// The lifecycle of a serial in the store: reserved before signing (the durable intent), then
/// valid once the signed certificate is stored; abandoned if signing never happened.
/// </summary>
public enum CertificateState { Reserved, Valid, Suspended, Revoked, Abandoned }

/// <summary>What the store records before a key signs anything.</summary>
public sealed record CertificateReservation(
    string SerialHex,
    string CaSlug,
    string Profile,
    string SubjectDisplay,
    string Srn,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset ReservedAt,
    string? ApplicationId = null);

public sealed record CertificateRecord
{
    public required string SerialHex { get; init; }
    public required string CaSlug { get; init; }
    public required string Profile { get; init; }
    public required int Partition { get; init; }
    public required string SubjectDisplay { get; init; }
    public required string Srn { get; init; }
    public required DateTimeOffset NotBefore { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required CertificateState State { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public RevocationReason? Reason { get; init; }
    public DateTimeOffset? InvalidityDate { get; init; }
    public DateTimeOffset? StatusChangedAt { get; init; }
    public byte[]? Der { get; init; }
    public bool Published { get; init; } = true;
    /// <summary>Why a suspended certificate is on hold: "non-payment" or "request".</summary>
    public string? SuspendedFor { get; init; }
}

/// <summary>A CRL entry: a revoked or suspended certificate.</summary>
public sealed record RevokedEntry(string SerialHex, int Partition, DateTimeOffset RevokedAt, RevocationReason Reason, DateTimeOffset? InvalidityDate);

/// <summary>
/// A published CRL, without its DER (a full CRL can be tens of megabytes): <see cref="Bytes"/> is
/// its length, and <see cref="ICertificateStatusReader.OpenCrl"/> streams it. <see cref="Partition"/>
/// is null for the full CRL.
/// </summary>
public sealed record CrlRecord(string CaSlug, int? Partition, long Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, int EntryCount, long Bytes);

/// <summary>
/// How current a CA's CRLs are, for the scheduler's once-a-minute check: the earliest nextUpdate
/// among the latest CRLs of its scopes (the full CRL and each partition's; null when there is no
/// full CRL), and whether some partition has no CRL yet. The earliest, because a full CRL may be
/// issued alone (<c>ecert crl --full-only</c>) and must not hide partitions falling due.
/// </summary>
public sealed record CrlCoverage(string CaSlug, DateTimeOffset? EarliestNextUpdate, bool SomePartitionLacksCrl);

/// <summary>A status change, applied only if the certificate is still in <see cref="From"/>.</summary>
public sealed record StatusChange(
    string SerialHex,
    CertificateState From,
    CertificateState To,
    DateTimeOffset At,
    RevocationReason? Reason,
    DateTimeOffset? InvalidityDate,
    string? SuspendedFor = null);

/// <summary>
/// What the CRLs of one run are made from, held open while they are written. Numbers: the full
/// CRL gets <see cref="FirstNumber"/>, partition p gets FirstNumber + 1 + p; with a single
/// partition requested it gets FirstNumber.
/// </summary>
public interface ICrlSnapshot : IDisposable
{
    long FirstNumber { get; }
    int PartitionCount { get; }

    /// <summary>
    /// The entries of the full CRL (<paramref name="partition"/> null: by partition, then serial)
    /// or of one partition (by serial), streamed from the snapshot; enumerate each once.
    /// </summary>
    IEnumerable<RevokedEntry> Entries(int? partition);
}
