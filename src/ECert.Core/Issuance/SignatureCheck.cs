using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;

namespace ECert.Core.Issuance;

/// <summary>
/// Verifies a freshly signed certificate or CRL against the issuer's public key before it is
/// stored, so a faulty signer (HSM or software) can never publish a broken object.
/// </summary>
public static class SignatureCheck
{
    public static void RequireValid(byte[] signedObject, X509Certificate2 issuer)
    {
        if (!IsValid(signedObject, issuer))
            throw new ECertException(ErrorKind.Internal, "the signer produced a signature that does not verify with the CA certificate; nothing was stored");
    }

    /// <summary>The same with the issuer's public key already opened (<see cref="Stores.CaRecord.VerificationKey"/>).</summary>
    public static void RequireValid(byte[] signedObject, AsymmetricAlgorithm issuerKey)
    {
        if (!IsValid(signedObject, issuerKey))
            throw new ECertException(ErrorKind.Internal, "the signer produced a signature that does not verify with the CA certificate; nothing was stored");
    }

    public static bool IsValid(byte[] signedObject, X509Certificate2 issuer)
    {
        if (issuer.PublicKey.Oid.Value == Oids.RsaEncryption)
        {
            using var rsa = issuer.GetRSAPublicKey()!;
            return IsValid(signedObject, rsa);
        }
        using var ec = issuer.GetECDsaPublicKey()!;
        return IsValid(signedObject, ec);
    }

    /// <summary>The same with the issuer's public key already opened (RSA or ECDsa), for checking many objects.</summary>
    public static bool IsValid(byte[] signedObject, AsymmetricAlgorithm issuerKey)
    {
        var reader = new AsnReader(signedObject, AsnEncodingRules.DER).ReadSequence();
        var tbs = reader.ReadEncodedValue().ToArray();
        var algorithm = reader.ReadSequence();
        var algorithmOid = algorithm.ReadObjectIdentifier();
        var signature = reader.ReadBitString(out _);
        var hash = algorithmOid switch
        {
            "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => throw new ECertException(ErrorKind.Internal, $"unexpected signature algorithm {algorithmOid}"),
        };
        return IsValidOverHash(CryptographicOperations.HashData(hash, tbs), hash, signature, issuerKey);
    }

    /// <summary>
    /// The same check for an object hashed while it was streamed (a large CRL): the signature over
    /// <paramref name="tbsHash"/>, the digest of the to-be-signed bytes made with <paramref name="hash"/>.
    /// </summary>
    public static void RequireValidOverHash(byte[] tbsHash, HashAlgorithmName hash, byte[] signature, X509Certificate2 issuer)
    {
        using var key = (AsymmetricAlgorithm?)issuer.GetRSAPublicKey() ?? issuer.GetECDsaPublicKey()!;
        if (!IsValidOverHash(tbsHash, hash, signature, key))
            throw new ECertException(ErrorKind.Internal, "the signer produced a signature that does not verify with the CA certificate; nothing was stored");
    }

    private static bool IsValidOverHash(byte[] tbsHash, HashAlgorithmName hash, byte[] signature, AsymmetricAlgorithm issuerKey) => issuerKey switch
    {
        RSA rsa => rsa.VerifyHash(tbsHash, signature, hash, RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.VerifyHash(tbsHash, signature, DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new ECertException(ErrorKind.Internal, "the issuer key is neither RSA nor ECDSA"),
    };
}
