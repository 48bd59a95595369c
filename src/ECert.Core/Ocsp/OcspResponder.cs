using System.Collections.Concurrent;
using System.Security.Cryptography;
using ECert.Core.Asn1;
using ECert.Core.Hierarchy;
using ECert.Core.Keys;
using ECert.Core.Settings;
using ECert.Core.Stores;

namespace ECert.Core.Ocsp;

/// <summary>An encoded OCSP response and what HTTP caching needs to know about it.</summary>
public sealed record OcspResult(byte[] Der, OcspResponseStatus Status, DateTimeOffset? ThisUpdate, DateTimeOffset? NextUpdate, string? Problem)
{
    /// <summary>The HTTP entity tag, computed once for a pre-signed response.</summary>
    public string? ETag { get; init; }

    /// <summary>The HTTP Last-Modified value (thisUpdate), formatted once for a pre-signed response.</summary>
    public string? LastModified { get; init; }
}

/// <summary>
/// Answers OCSP requests for the issuing CAs (RFC 6960), signing with each CA's delegated
/// responder certificate. The common request (one certificate, SHA-1 CertID, no nonce: RFC 5019)
/// is answered with a pre-signed response: from the in-memory cache, else from the store, else
/// signed now from the certificate's status and stored. A status change withdraws the stored
/// response in the same transaction and the cache learns of it by polling (<see cref="OcspPresigner"/>).
/// Other requests (a nonce, several certificates, another hash) are signed live from the store.
/// A request we cannot parse gets malformedRequest; one about an issuer we do not serve gets
/// unauthorized; a serial we never issued gets unknown (signed live, never stored).
/// </summary>
public sealed class OcspResponder(
    ICaStore cas,
    ICertificateStatusReader certificates,
    IOcspResponseStore responses,
    OcspResponseCache cache,
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
    private long _issuersLoadedAt;
    private const long IssuerReloadMilliseconds = 1000;
    private readonly ConcurrentDictionary<string, ActiveResponder> _active = new();
    private readonly Lock _renewLock = new();

    public OcspResponseCache Cache => cache;

    public TimeSpan ResponseValidity => TimeSpan.FromHours(settings.ResponseValidityHours);

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

        var now = time.GetUtcNow();
        if (request is { Nonce: null, CertIds: [{ HashAlgorithmOid: Oids.Sha1 } single] })
            return Presigned(single, caSlug!, now);
        return Live(request, caSlug!, DerWriting.TruncateToSeconds(now));
    }

    private OcspResult Presigned(OcspCertId certId, string caSlug, DateTimeOffset now)
    {
        var serialHex = Convert.ToHexString(certId.Serial);
        if (cache.TryGet(serialHex, out var cached) && cached.CaSlug == caSlug && cached.NextUpdate > now) return cached.Result;
        var watermark = cache.ChangeWatermark;
        if (responses.Find(serialHex) is { } stored && stored.CaSlug == caSlug && stored.NextUpdate > now)
        {
            var entry = ToCached(stored);
            cache.TryAdd(serialHex, entry, watermark);
            return entry.Result;
        }
        var record = certificates.FindCertificate(serialHex);
        if (!IsIssued(record, caSlug))
            return Live(new OcspRequest([certId], null), caSlug, DerWriting.TruncateToSeconds(now));
        var signed = Presign(record!, now);
        // An expired certificate is answered but not kept: nothing refreshes it.
        if (record!.NotAfter > now && responses.SaveIfCurrent(signed, record))
        {
            var entry = ToCached(signed);
            cache.TryAdd(serialHex, entry, watermark);
            return entry.Result;
        }
        return ToCached(signed).Result;
    }

    /// <summary>Signs a certificate's response ahead of time, as its status stands in <paramref name="record"/>.</summary>
    public PresignedResponse Presign(CertificateRecord record, DateTimeOffset now)
    {
        var thisUpdate = DerWriting.TruncateToSeconds(now);
        var nextUpdate = thisUpdate + ResponseValidity;
        var issuer = Sha1Identity(record.CaSlug);
        var certId = CanonicalSha1CertId(issuer, Convert.FromHexString(record.SerialHex));
        var responder = Responder(record.CaSlug, thisUpdate);
        var der = OcspResponseEncoder.Successful([Answer(record, certId, thisUpdate, nextUpdate)], responder.KeyHash, thisUpdate, null,
            responder.Key, responder.Certificate);
        return new PresignedResponse(record.SerialHex, record.CaSlug, thisUpdate, nextUpdate, der);
    }

    private static CachedResponse ToCached(PresignedResponse response) =>
        new(response.CaSlug,
            new OcspResult(response.Der, OcspResponseStatus.Successful, response.ThisUpdate, response.NextUpdate, null)
            {
                ETag = $"\"{Convert.ToHexString(SHA1.HashData(response.Der))}\"",
                LastModified = response.ThisUpdate.ToString("R"),
            },
            response.NextUpdate);

    private OcspResult Live(OcspRequest request, string caSlug, DateTimeOffset now)
    {
        var nextUpdate = now + ResponseValidity;
        var answers = request.CertIds.Select(id => Answer(certificates.FindCertificate(Convert.ToHexString(id.Serial)), caSlug, id, now, nextUpdate)).ToList();
        var responder = Responder(caSlug, now);
        var der = OcspResponseEncoder.Successful(answers, responder.KeyHash, now, request.Nonce, responder.Key, responder.Certificate);
        return new OcspResult(der, OcspResponseStatus.Successful, now, nextUpdate, null);
    }

    private static bool IsIssued(CertificateRecord? record, string caSlug) =>
        record is not null && record.CaSlug == caSlug && record.State is not (CertificateState.Reserved or CertificateState.Abandoned);

    private static OcspSingleAnswer Answer(CertificateRecord? record, string caSlug, OcspCertId certId, DateTimeOffset now, DateTimeOffset nextUpdate) =>
        IsIssued(record, caSlug)
            ? Answer(record!, certId, now, nextUpdate)
            : new OcspSingleAnswer(certId, OcspCertStatus.Unknown, null, null, now, nextUpdate);

    private static OcspSingleAnswer Answer(CertificateRecord record, OcspCertId certId, DateTimeOffset now, DateTimeOffset nextUpdate) =>
        record.State switch
        {
            CertificateState.Revoked or CertificateState.Suspended =>
                new OcspSingleAnswer(certId, OcspCertStatus.Revoked, record.RevokedAt, record.Reason, now, nextUpdate),
            _ => new OcspSingleAnswer(certId, OcspCertStatus.Good, null, null, now, nextUpdate),
        };

    /// <summary>CertID ::= SEQUENCE { hashAlgorithm (SHA-1, NULL parameters), issuerNameHash, issuerKeyHash, serialNumber }.</summary>
    private static OcspCertId CanonicalSha1CertId(IssuerIdentity issuer, byte[] serial)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.Sha1);
                writer.WriteNull();
            }
            writer.WriteOctetString(issuer.NameHash);
            writer.WriteOctetString(issuer.KeyHash);
            DerWriting.WritePositiveInteger(writer, serial);
        }
        return new OcspCertId(Oids.Sha1, issuer.NameHash, issuer.KeyHash, serial, writer.Encode());
    }

    /// <summary>A CA's SHA-1 CertID hashes; a CA created since they were loaded (a new generation) is found by reloading once.</summary>
    private IssuerIdentity Sha1Identity(string caSlug)
    {
        foreach (var reload in new[] { false, true })
        {
            if (reload || _issuers is null) _issuers = LoadIssuers();
            if (_issuers.FirstOrDefault(i => i.CaSlug == caSlug && i.HashOid == Oids.Sha1) is { } identity) return identity;
        }
        throw ECertException.NotFound($"no issuing CA '{caSlug}' to answer OCSP for");
    }

    /// <summary>
    /// The CA a CertID names. A CA created since the hashes were loaded (a new generation, perhaps
    /// by another process) is found by reloading them, but at most once a second: requests naming
    /// a foreign issuer would otherwise read every CA from the store each time, eight times dearer
    /// than a cached answer.
    /// </summary>
    private string? FindIssuer(OcspCertId certId)
    {
        var issuers = _issuers ??= LoadIssuers();
        if (Match(issuers, certId) is { } found) return found;
        // A miss: one thread claims the reload by moving the stamp forward first, so that requests
        // arriving meanwhile neither load too nor replace a newer list with an older one.
        var loadedAt = Interlocked.Read(ref _issuersLoadedAt);
        var now = Environment.TickCount64;
        if (now - loadedAt >= IssuerReloadMilliseconds && Interlocked.CompareExchange(ref _issuersLoadedAt, now, loadedAt) == loadedAt)
            _issuers = LoadIssuers();
        return Match(_issuers ?? issuers, certId);
    }

    private static string? Match(IReadOnlyList<IssuerIdentity> issuers, OcspCertId certId)
    {
        foreach (var issuer in issuers)
            if (issuer.HashOid == certId.HashAlgorithmOid && issuer.NameHash.AsSpan().SequenceEqual(certId.IssuerNameHash)
                && issuer.KeyHash.AsSpan().SequenceEqual(certId.IssuerKeyHash))
                return issuer.CaSlug;
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
