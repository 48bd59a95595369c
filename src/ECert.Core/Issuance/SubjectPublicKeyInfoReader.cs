using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;

namespace ECert.Core.Issuance;

/// <summary>
/// Reads a subscriber's SubjectPublicKeyInfo (RFC 5280 4.1.2.7) from the bureau's file, the REST
/// API or a CSR, refusing the encodings the platform's own reader lets through: bytes after it,
/// unused bits in the key's BIT STRING, and compressed EC points (RFC 5480 2.2: we certify the
/// uncompressed form only). Which keys are accepted at all is <see cref="PublicKeyPolicy"/>'s to say.
/// </summary>
public static class SubjectPublicKeyInfoReader
{
    /// <param name="what">How the caller names the key in an error ("publicKey", "the CSR's public key").</param>
    public static PublicKey Read(ReadOnlySpan<byte> der, string what)
    {
        PublicKey key;
        int read;
        try
        {
            key = PublicKey.CreateFromSubjectPublicKeyInfo(der, out read);
        }
        catch (CryptographicException e)
        {
            throw ECertException.Invalid($"{what} is not a DER SubjectPublicKeyInfo: {e.Message}");
        }
        if (read != der.Length)
            throw ECertException.Invalid($"{what} has {der.Length - read} bytes after the SubjectPublicKeyInfo");
        // The key's BIT STRING ends the structure; its first content octet counts the unused bits.
        var keyBits = key.EncodedKeyValue.RawData;
        if (der[der.Length - keyBits.Length - 1] != 0)
            throw ECertException.Invalid($"{what} has unused bits in its key BIT STRING; a public key is a whole number of octets");
        if (key.Oid.Value == Oids.EcPublicKey && keyBits.Length > 0 && keyBits[0] is 0x02 or 0x03)
            throw ECertException.Invalid(CompressedPoint(what));
        return key;
    }

    /// <summary>The same, from base64 (the bureau's file and the REST API carry keys so).</summary>
    public static PublicKey ReadBase64(string base64, string what)
    {
        byte[] der;
        try { der = Convert.FromBase64String(base64); }
        catch (FormatException) { throw ECertException.Invalid($"{what} is not base64"); }
        return Read(der, what);
    }

    internal static string CompressedPoint(string what) =>
        $"{what} is a compressed EC point; send the uncompressed form (04, then X and Y)";
}
