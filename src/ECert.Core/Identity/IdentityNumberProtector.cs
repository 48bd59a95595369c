using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using ECert.Core.Asn1;

namespace ECert.Core.Identity;

/// <summary>
/// The protected form of an identity number: HMAC-SHA256 over the ASCII bytes of
/// <c>"HKID:" + canonical number</c> (e.g. <c>HKID:A1234563</c>) under a secret key that the keystore
/// holds. The same person always gets the same digest, so the CA can match a person across
/// certificates, while nobody without the key can recover or test a guessed number.
/// </summary>
public sealed class IdentityNumberProtector(byte[] key, int keyVersion = 1)
{
    public int KeyVersion { get; } = keyVersion;

    public byte[] Digest(HkIdentityNumber number)
    {
        var canonical = number.Canonical;
        Span<byte> message = stackalloc byte[Prefix.Length + canonical.Length];
        Prefix.CopyTo(message);
        Encoding.ASCII.GetBytes(canonical, message[Prefix.Length..]);
        var hmac = ThreadHmac();
        hmac.AppendData(message);
        return hmac.GetHashAndReset();
    }

    private static ReadOnlySpan<byte> Prefix => "HKID:"u8;

    [ThreadStatic] private static (IdentityNumberProtector Owner, IncrementalHash Hmac)? _threadHmac;

    /// <summary>
    /// This thread's HMAC context for this protector's key, reset after each digest: a one-shot
    /// HMAC sets the algorithm up anew each call, which bulk issuance would do a million times on
    /// every core. A thread keeps the context of the protector it used last (the instance holds
    /// one protector, see EcertInstance.IdentityProtector).
    /// </summary>
    private IncrementalHash ThreadHmac()
    {
        if (_threadHmac is { } cached && ReferenceEquals(cached.Owner, this)) return cached.Hmac;
        _threadHmac?.Hmac.Dispose();
        var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        _threadHmac = (this, hmac);
        return hmac;
    }

    /// <summary>
    /// The certificate extension (non-critical, OID <see cref="Oids.ProtectedIdentityNumber"/>):
    /// <code>
    /// ProtectedIdentityNumber ::= SEQUENCE {
    ///     keyVersion  INTEGER,                -- which CA hashing key produced the digest
    ///     algorithm   AlgorithmIdentifier,    -- hmacWithSHA256, parameters NULL
    ///     digest      OCTET STRING }          -- HMAC-SHA256("HKID:" || canonical number)
    /// </code>
    /// </summary>
    public byte[] EncodeExtensionValue(HkIdentityNumber number) => EncodeExtensionValue(Digest(number));

    public byte[] EncodeExtensionValue(byte[] digest)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 64);
        using (writer.PushSequence())
        {
            writer.WriteInteger(KeyVersion);
            using (writer.PushSequence())
            {
                DerWriting.WriteObjectIdentifier(writer, Oids.HmacWithSha256);
                writer.WriteNull();
            }
            writer.WriteOctetString(digest);
        }
        return writer.Encode();
    }
}
