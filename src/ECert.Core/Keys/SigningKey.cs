using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Core.Keys;

/// <summary>
/// A CA's signing key, wherever it lives (software keystore or HSM): domain code sees only the
/// signature generator, the hash it signs with, and the public key. <paramref name="signHash"/>
/// signs a digest already computed with <see cref="Hash"/> (for objects too large to hold in memory,
/// such as a CRL of a million entries), giving the same signature encoding as the generator.
/// </summary>
public sealed class SigningKey(string keyId, KeyAlgorithm algorithm, X509SignatureGenerator generator, Func<byte[], byte[]> signHash)
{
    public string KeyId { get; } = keyId;
    public KeyAlgorithm Algorithm { get; } = algorithm;
    public X509SignatureGenerator Generator { get; } = generator;
    public HashAlgorithmName Hash => Algorithm.SignatureHash();
    public PublicKey PublicKey => Generator.PublicKey;

    /// <summary>The DER AlgorithmIdentifier that signatures from this key carry.</summary>
    public byte[] SignatureAlgorithmIdentifier => _signatureAlgorithmIdentifier ??= Generator.GetSignatureAlgorithmIdentifier(Hash);

    private byte[]? _signatureAlgorithmIdentifier;

    public byte[] Sign(ReadOnlySpan<byte> data) => Generator.SignData(data.ToArray(), Hash);

    /// <summary>The same, for data already in an array (not copied).</summary>
    public byte[] Sign(byte[] data) => Generator.SignData(data, Hash);

    /// <summary>Signs a digest made with <see cref="Hash"/>: PKCS#1 v1.5 for RSA, a DER ECDSA-Sig-Value for ECDSA.</summary>
    public byte[] SignHash(byte[] hash) => signHash(hash);

    /// <summary>A signing key over a key object held in memory (RSA PKCS#1 v1.5 or ECDSA).</summary>
    public static SigningKey FromKey(string keyId, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new SigningKey(keyId, KeyAlgorithms.Of(rsa), X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            hash => rsa.SignHash(hash, KeyAlgorithms.Of(rsa).SignatureHash(), RSASignaturePadding.Pkcs1)),
        ECDsa ec => new SigningKey(keyId, KeyAlgorithms.Of(ec), X509SignatureGenerator.CreateForECDsa(ec),
            hash => ec.SignHash(hash, DSASignatureFormat.Rfc3279DerSequence)),
        _ => throw ECertException.Policy("unsupported key type"),
    };
}

/// <summary>Where CA keys and CA secrets live. Implemented by the software keystore and the HSM.</summary>
public interface IKeyStore
{
    /// <summary>Generates a new key under <paramref name="keyId"/>; refuses an id already in use.</summary>
    SigningKey CreateSigningKey(string keyId, KeyAlgorithm algorithm);

    /// <summary>Opens an existing key; throws NotFound when there is none.</summary>
    SigningKey GetSigningKey(string keyId);

    /// <summary>Creates a random secret (e.g. the identity-number hashing key) and keeps it protected.</summary>
    byte[] CreateSecret(string secretId, int length);

    byte[] GetSecret(string secretId);
}
