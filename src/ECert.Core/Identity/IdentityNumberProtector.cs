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
        var message = Encoding.ASCII.GetBytes("HKID:" + number.Canonical);
        return HMACSHA256.HashData(key, message);
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
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(KeyVersion);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.HmacWithSha256);
                writer.WriteNull();
            }
            writer.WriteOctetString(digest);
        }
        return writer.Encode();
    }
}
