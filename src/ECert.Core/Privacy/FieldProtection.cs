using System.Security.Cryptography;
using System.Text;

namespace ECert.Core.Privacy;

/// <summary>Encrypts personal fields before they are stored, and decrypts them when read.</summary>
public interface IFieldProtector
{
    /// <summary>Encrypts <paramref name="value"/>, bound to <paramref name="context"/> (table, column and row).</summary>
    string? Protect(string? value, string context);

    /// <summary>Decrypts a stored value; a value stored before encryption (or anonymised) comes back as it is.</summary>
    string? Unprotect(string? stored, string context);
}

/// <summary>
/// AES-256-GCM field encryption: <c>enc1:</c> + base64(nonce (12) || ciphertext || tag (16)),
/// with the context (e.g. <c>subscribers.name.0000000042</c>) as associated data, so a ciphertext
/// copied to another row or column does not decrypt. The key is a keystore secret.
/// </summary>
public sealed class AesGcmFieldProtector(byte[] key) : IFieldProtector
{
    public const string SecretId = "personal-data-key";
    private const string Prefix = "enc1:";

    public string? Protect(string? value, string context)
    {
        if (value is null) return null;
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[12 + plain.Length + 16];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plain, output.AsSpan(12, plain.Length), output.AsSpan(12 + plain.Length, 16), Encoding.UTF8.GetBytes(context));
        return Prefix + Convert.ToBase64String(output);
    }

    public string? Unprotect(string? stored, string context)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal)) return stored;
        var input = Convert.FromBase64String(stored[Prefix.Length..]);
        if (input.Length < 28) throw new ECertException(ErrorKind.Internal, $"the encrypted field {context} is damaged");
        var plain = new byte[input.Length - 28];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(12, plain.Length), input.AsSpan(12 + plain.Length, 16), plain, Encoding.UTF8.GetBytes(context));
        }
        catch (CryptographicException)
        {
            throw new ECertException(ErrorKind.Internal, $"the encrypted field {context} does not decrypt: it was altered or moved");
        }
        return Encoding.UTF8.GetString(plain);
    }
}

/// <summary>No encryption: for stores used in tests of the storage layer alone.</summary>
public sealed class NoFieldProtection : IFieldProtector
{
    public static readonly NoFieldProtection Instance = new();
    public string? Protect(string? value, string context) => value;
    public string? Unprotect(string? stored, string context) => stored;
}
