using System.Collections.Concurrent;
using System.Security.Cryptography;
using ECert.Core.Asn1;
using ECert.Core.Hierarchy;
using ECert.Core.Keys;
using ECert.Core.Settings;
using ECert.Core.Stores;

namespace ECert.Core.Ocsp;

/// <summary>An encoded OCSP response and what HTTP caching needs to know about it.</summary>
public sealed record OcspResult(byte[] Der, OcspResponseStatus Status, DateTimeOffset? ThisUpdate, DateTimeOffset? NextUpdate, string? Problem);

/// <summary>
/// Answers OCSP requests for the issuing CAs (RFC 6960), signing with each CA's delegated
/// responder certificate. Reads status from the store on every request, so a change committed by
/// any process is answered at once. A request we cannot parse gets malformedRequest; one about an
/// issuer we do not serve gets unauthorized; a serial we never issued gets unknown.
/// </summary>
public sealed class OcspResponder(
    ICaStore cas,
    ICertificateStatusReader certificates,
    ResponderCertificates responders,
    OcspSettings settings,
    TimeProvider time)
{
    private sealed record IssuerIdentity(string HashOid, byte[] NameHash, byte[] KeyHash, string CaSlug);

    private sealed record ActiveResponder(SigningKey Key, byte[] Certificate, byte[] KeyHash, DateTimeOffset RenewAfter);

    private static readonly (string Oid, Func<byte[], byte[]> Hash)[] HashAlgorithms =
    [
        (Oids.Sha1, SHA1.HashData), (Oids.Sha256, SHA256.HashData), (Oids.Sha384, SHA384.HashData), (Oids.Sha512, SHA512.HashData),
    ];

    private volatile IReadOnlyList<IssuerIdentity>? _issuers;
    private readonly ConcurrentDictionary<string, ActiveResponder> _active = new();
    private readonly Lock _renewLock = new();

    public OcspResult Respond(ReadOnlySpan<byte> requestDer)
    {
        var request = OcspRequest.TryParse(requestDer, out var problem);
        if (request is null)
            return new OcspResult(OcspResponseEncoder.Error(OcspResponseStatus.MalformedRequest), OcspResponseStatus.MalformedRequest, null, null, problem);

        string? caSlug = null;
        foreach (var certId in request.CertIds)
        {
            var slug = FindIssuer(certId);
            // One response is signed by one responder: every CertID must name the same issuing CA.
            if (slug is null || (caSlug is not null && slug != caSlug))
                return new OcspResult(OcspResponseEncoder.Error(OcspResponseStatus.Unauthorized), OcspResponseStatus.Unauthorized, null, null,
                    "the request names an issuer this responder does not serve");
            caSlug = slug;
        }

        var now = DerWriting.TruncateToSeconds(time.GetUtcNow());
        var nextUpdate = now.AddHours(settings.ResponseValidityHours);
        var answers = request.CertIds.Select(id => Answer(id, caSlug!, now, nextUpdate)).ToList();
        var responder = Responder(caSlug!, now);
        var der = OcspResponseEncoder.Successful(answers, responder.KeyHash, now, request.Nonce, responder.Key, responder.Certificate);
        return new OcspResult(der, OcspResponseStatus.Successful, now, nextUpdate, null);
    }

    private OcspSingleAnswer Answer(OcspCertId certId, string caSlug, DateTimeOffset now, DateTimeOffset nextUpdate)
    {
        var record = certificates.FindCertificate(Convert.ToHexString(certId.Serial));
        if (record is null || record.CaSlug != caSlug || record.State is CertificateState.Reserved or CertificateState.Abandoned)
            return new OcspSingleAnswer(certId, OcspCertStatus.Unknown, null, null, now, nextUpdate);
        return record.State switch
        {
            CertificateState.Revoked or CertificateState.Suspended =>
                new OcspSingleAnswer(certId, OcspCertStatus.Revoked, record.RevokedAt, record.Reason, now, nextUpdate),
            _ => new OcspSingleAnswer(certId, OcspCertStatus.Good, null, null, now, nextUpdate),
        };
    }

    private string? FindIssuer(OcspCertId certId)
    {
        foreach (var pass in new[] { false, true })
        {
            var issuers = _issuers;
            if (issuers is null || pass)
                _issuers = issuers = LoadIssuers();
            foreach (var issuer in issuers)
                if (issuer.HashOid == certId.HashAlgorithmOid && issuer.NameHash.AsSpan().SequenceEqual(certId.IssuerNameHash)
                    && issuer.KeyHash.AsSpan().SequenceEqual(certId.IssuerKeyHash))
                    return issuer.CaSlug;
        }
        return null;
    }

    private List<IssuerIdentity> LoadIssuers()
    {
        var list = new List<IssuerIdentity>();
        foreach (var ca in cas.ListCas().Where(c => c.Role == CaRole.Issuing))
        {
            var name = ca.Certificate.SubjectName.RawData;
            var key = ca.Certificate.PublicKey.EncodedKeyValue.RawData;
            foreach (var (oid, hash) in HashAlgorithms)
                list.Add(new IssuerIdentity(oid, hash(name), hash(key), ca.Slug));
        }
        return list;
    }

    /// <summary>The responder of a CA, renewing its certificate when a third of its life remains.</summary>
    private ActiveResponder Responder(string caSlug, DateTimeOffset now)
    {
        if (_active.TryGetValue(caSlug, out var active) && active.RenewAfter > now) return active;
        lock (_renewLock)
        {
            if (_active.TryGetValue(caSlug, out active) && active.RenewAfter > now) return active;
            var record = responders.EnsureCurrent(caSlug);
            var key = responders.OpenKey(record);
            var lifetime = record.NotAfter - record.NotBefore;
            active = new ActiveResponder(key, record.CertificateDer, SHA1.HashData(key.PublicKey.EncodedKeyValue.RawData),
                record.NotAfter - lifetime / 3);
            _active[caSlug] = active;
            return active;
        }
    }
}
