using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using ECert.Core.Asn1;
using ECert.Core.Crl;
using ECert.Core.Identity;
using ECert.Core.Keys;
using ECert.Core.Profiles;
using ECert.Core.Settings;
using ECert.Core.Stores;

namespace ECert.Core.Issuance;

/// <summary>
/// A request to certify a public key under a profile, with the verified subject details.
/// <paramref name="Publish"/> false keeps the certificate out of the repository until the
/// subscriber accepts it; <paramref name="ValidityDays"/> overrides the profile's validity within
/// its maximum (an Organisational e-Cert bought for two years).
/// </summary>
public sealed record IssuanceRequest(string Profile, PublicKey PublicKey, SubjectDetails Subject, bool Publish = true, int? ValidityDays = null,
    string? ApplicationId = null);

public sealed record IssuedCertificate(string SerialHex, byte[] Der, int Partition, BuiltSubject Subject, CaRecord Issuer)
{
    public string Pem => PemEncoding.WriteString("CERTIFICATE", Der);
}

/// <summary>
/// The issuance pipeline: validate (profile, key, subject) -> reserve the serial durably (fixing
/// the CRL partition) -> prepare the to-be-signed certificate -> lint -> sign -> verify the
/// signature -> store -> return. The first certificate of a partition publishes that partition's
/// (empty) CRL before it is signed, so its distribution point never answers 404. A crash at any point leaves no signed certificate unrecorded and
/// no serial used twice: a serial is reserved before signing and never reused, even if abandoned.
/// </summary>
public sealed class CertificateIssuer(
    ICaStore cas,
    ICertificateStore certificates,
    IKeyStore keys,
    CaSettings settings,
    IdentityNumberProtector identityProtector,
    CrlPublisher crls,
    TimeProvider time)
{
    private readonly CaUrls _urls = new(settings.BaseUrl);
    private readonly ConcurrentDictionary<(string Profile, string Ca, X509KeyUsageFlags Usage), X509Extension[]> _commonExtensions = new();
    private readonly ConcurrentDictionary<(string Ca, int Partition), X509Extension> _distributionPoints = new();

    public IssuedCertificate Issue(IssuanceRequest request)
    {
        var profile = ProfileFactory.Create(request.Profile, settings.Profiles);
        PublicKeyPolicy.Check(request.PublicKey);
        var issuer = cas.FindCa(profile.IssuingCa)
            ?? throw ECertException.NotFound($"issuing CA '{profile.IssuingCa}' of profile '{profile.Name}' does not exist; run './ecert init' first");
        var srn = request.Subject.Srn is { } given ? CheckSrn(given) : certificates.AllocateSrn();
        var subject = SubjectBuilder.Build(profile, request.Subject, srn);

        var validityDays = request.ValidityDays ?? profile.ValidityDays;
        if (validityDays < 1 || validityDays > profile.MaxValidityDays)
            throw ECertException.Policy($"a validity of {validityDays} days is outside profile '{profile.Name}' (at most {profile.MaxValidityDays})");
        var notBefore = DerWriting.TruncateToSeconds(time.GetUtcNow());
        var notAfter = notBefore + TimeSpan.FromDays(validityDays) - TimeSpan.FromSeconds(1);
        var (serial, partition) = Reserve(profile, issuer, subject, srn, notBefore, notAfter, request.ApplicationId);
        var serialHex = SerialNumbers.ToHex(serial);
        try
        {
            // A new partition's CRL exists before the first certificate naming it does.
            crls.EnsurePartitionPublished(issuer, partition);
            var tbs = Prepare(profile, issuer, subject, request.PublicKey, serial, partition, notBefore, notAfter);
            var findings = CertificateLinter.Lint(tbs, profile, issuer.Certificate);
            if (findings.Count > 0)
                throw ECertException.Policy("the certificate failed pre-issuance checks: " + string.Join("; ", findings));
            var signingKey = keys.GetSigningKey(issuer.KeyId);
            var der = tbs.Sign(signingKey);
            SignatureCheck.RequireValid(der, issuer.VerificationKey);
            certificates.CompleteIssuance(serialHex, der, request.Publish);
            return new IssuedCertificate(serialHex, der, partition, subject, issuer);
        }
        catch (Exception e)
        {
            AbandonQuietly(serialHex, e.Message);
            throw;
        }
    }

    private (byte[] Serial, int Partition) Reserve(CertificateProfile profile, CaRecord issuer, BuiltSubject subject, string srn,
        DateTimeOffset notBefore, DateTimeOffset notAfter, string? applicationId)
    {
        // A collision needs two serials of the same millisecond with the same 80 random bits: astronomically
        // unlikely. The store's uniqueness check is what guarantees it, and we simply draw again.
        for (var attempt = 0; ; attempt++)
        {
            var serial = SerialNumbers.NewSerial();
            var reservation = new CertificateReservation(SerialNumbers.ToHex(serial), issuer.Slug, profile.Name,
                subject.DisplayName, srn, notBefore, notAfter, time.GetUtcNow(), applicationId);
            try
            {
                return (serial, certificates.Reserve(reservation, settings.CrlPartitionSize));
            }
            catch (ECertException e) when (e.Kind == ErrorKind.Conflict && attempt < 3)
            {
            }
        }
    }

    /// <summary>
    /// The to-be-signed certificate for a reserved serial: the profile's extensions, the partition's
    /// CRL URL, the responder URL and the protected identity number. Used by <see cref="Issue"/> and
    /// by bulk issuance, which reserves and stores whole batches itself.
    /// </summary>
    public TbsCertificate Prepare(CertificateProfile profile, CaRecord issuer, BuiltSubject subject, PublicKey publicKey,
        byte[] serial, int partition, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var keyUsage = profile.KeyUsage;
        if (publicKey.Oid.Value == Asn1.Oids.EcPublicKey && (keyUsage & X509KeyUsageFlags.KeyEncipherment) != 0)
        {
            // EC keys cannot encipher keys; the profile's encipherment becomes key agreement.
            keyUsage = (keyUsage & ~(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment)) | X509KeyUsageFlags.KeyAgreement;
            if (profile.IsServer) keyUsage &= ~X509KeyUsageFlags.KeyAgreement;
        }
        // What depends only on the profile and the CA is built once per issuer object (bulk issuance
        // prepares a million certificates with the same ones, on every core); only the key, names and
        // partition vary. Shared extensions are kept as plain raw extensions: the typed ones
        // (X509EnhancedKeyUsageExtension...) decode lazily into fields without a lock, so a linter
        // reading one shared instance from several threads could see it half decoded.
        var common = _commonExtensions.GetOrAdd((profile.Name, issuer.Slug, keyUsage), _ => Shared(
        [
            CertificateExtensions.BasicConstraints(isCa: false),
            CertificateExtensions.KeyUsage(keyUsage),
            CertificateExtensions.ExtendedKeyUsage(profile.ExtendedKeyUsageOids),
            CertificateExtensions.AuthorityKeyIdentifier(issuer.SubjectKeyIdentifier),
            CertificateExtensions.AuthorityInformationAccess(_urls.Ocsp, _urls.CaCertificate(issuer.Slug)),
            CertificateExtensions.CertificatePolicies(profile.PolicyOids),
        ]));
        var distributionPoint = _distributionPoints.GetOrAdd((issuer.Slug, partition),
            key => Shared([CertificateExtensions.CrlDistributionPoint(_urls.PartitionCrl(key.Ca, key.Partition))])[0]);
        var extensions = new List<X509Extension>(10)
        {
            common[0], common[1], common[2],
            CertificateExtensions.SubjectKeyIdentifier(publicKey),
            common[3],
            distributionPoint,
            common[4], common[5],
        };
        if (subject.SubjectAltName is not null) extensions.Add(subject.SubjectAltName);
        var identityDigest = subject.IdentityDigest ?? (subject.IdentityNumber is { } number ? identityProtector.Digest(number) : null);
        if (identityDigest is not null)
            extensions.Add(new X509Extension(Asn1.Oids.ProtectedIdentityNumber, identityProtector.EncodeExtensionValue(identityDigest), critical: false));
        return new TbsCertificate(serial, issuer.Certificate.SubjectName, notBefore, notAfter, subject.Name, publicKey, extensions);
    }

    /// <summary>Extensions safe to share between threads: plain OID, value and criticality, nothing decoded lazily.</summary>
    private static X509Extension[] Shared(X509Extension[] extensions) =>
        extensions.Select(e => new X509Extension(new System.Security.Cryptography.Oid(e.Oid!.Value!), e.RawData, e.Critical)).ToArray();

    /// <summary>Marks the reservation abandoned without hiding the error that caused it.</summary>
    private void AbandonQuietly(string serialHex, string why)
    {
        try { certificates.AbandonIssuance(serialHex, why); }
        catch (Exception) { /* the reservation stays 'reserved': still never reused, still never signed */ }
    }

    private static string CheckSrn(string srn)
    {
        var text = srn.Trim();
        return text.Length is > 0 and <= 32 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? text
            : throw ECertException.Invalid($"SRN '{srn}' must be 1 to 32 letters, digits or hyphens");
    }
}
