using System.Security.Cryptography;

namespace ECert.Core.Keys;

/// <summary>The key algorithms a CA key or a centrally generated subscriber key may use.</summary>
public enum KeyAlgorithm
{
    Rsa2048,
    Rsa3072,
    Rsa4096,
    P256,
    P384,
}

public static class KeyAlgorithms
{
    public static readonly IReadOnlyList<string> Names = ["rsa2048", "rsa3072", "rsa4096", "p256", "p384"];

    public static KeyAlgorithm Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "rsa2048" => KeyAlgorithm.Rsa2048,
        "rsa3072" => KeyAlgorithm.Rsa3072,
        "rsa4096" => KeyAlgorithm.Rsa4096,
        "p256" => KeyAlgorithm.P256,
        "p384" => KeyAlgorithm.P384,
        _ => throw ECertException.Invalid($"unknown key algorithm '{text}'; use one of {string.Join(", ", Names)}"),
    };

    public static string Name(this KeyAlgorithm algorithm) => Names[(int)algorithm];

    /// <summary>The hash a signature with this key uses: SHA-384 for P-384, SHA-256 otherwise.</summary>
    public static HashAlgorithmName SignatureHash(this KeyAlgorithm algorithm) =>
        algorithm == KeyAlgorithm.P384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    /// <summary>Generates a fresh key pair in memory.</summary>
    public static AsymmetricAlgorithm Generate(this KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => RSA.Create(2048),
        KeyAlgorithm.Rsa3072 => RSA.Create(3072),
        KeyAlgorithm.Rsa4096 => RSA.Create(4096),
        KeyAlgorithm.P256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.P384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The algorithm of an existing key, for keys loaded from a keystore.</summary>
    public static KeyAlgorithm Of(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => rsa.KeySize switch
        {
            2048 => KeyAlgorithm.Rsa2048,
            3072 => KeyAlgorithm.Rsa3072,
            4096 => KeyAlgorithm.Rsa4096,
            _ => throw ECertException.Policy($"RSA key of {rsa.KeySize} bits is not a supported CA key size"),
        },
        ECDsa ec when ec.KeySize == 256 => KeyAlgorithm.P256,
        ECDsa ec when ec.KeySize == 384 => KeyAlgorithm.P384,
        _ => throw ECertException.Policy("unsupported key type"),
    };
}
