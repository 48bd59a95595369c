using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using ECert.Core;
using ECert.Core.Keys;

namespace ECert.Keys;

/// <summary>
/// CA keys as files in one folder readable by the owner only: each key is an encrypted PKCS#8
/// PEM ("ENCRYPTED PRIVATE KEY", PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC), named
/// <c>&lt;key id&gt;.&lt;algorithm&gt;.p8.pem</c>. Secrets (such as the identity-number hashing key) are
/// AES-256-GCM sealed under a PBKDF2 key from the same passphrase, in <c>&lt;id&gt;.secret.json</c>.
/// Keys are decrypted once per process and kept in memory.
/// </summary>
public sealed class SoftwareKeystore : IKeyStore
{
    public const int DefaultIterations = 200_000;

    private readonly string _folder;
    private readonly string _passphrase;
    private readonly int _iterations;
    private readonly ConcurrentDictionary<string, SigningKey> _open = new();
    private readonly ConcurrentDictionary<string, byte[]> _secrets = new();

    public SoftwareKeystore(string folder, string passphrase, int iterations = DefaultIterations)
    {
        if (string.IsNullOrEmpty(passphrase))
            throw ECertException.Invalid("the keystore passphrase is empty; set ECERT_KEYSTORE_PASSPHRASE");
        _folder = folder;
        _passphrase = passphrase;
        _iterations = iterations;
        if (!Directory.Exists(folder))
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public SigningKey CreateSigningKey(string keyId, KeyAlgorithm algorithm)
    {
        CheckId(keyId);
        if (FindKeyFile(keyId) is not null)
            throw ECertException.Conflict($"key '{keyId}' already exists in the keystore");
        using var key = algorithm.Generate();
        var pem = key.ExportEncryptedPkcs8PrivateKeyPem(_passphrase,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, _iterations));
        WriteOwnerOnly(Path.Combine(_folder, $"{keyId}.{algorithm.Name()}.p8.pem"), pem);
        return GetSigningKey(keyId);
    }

    public SigningKey GetSigningKey(string keyId) => _open.GetOrAdd(keyId, Open);

    private SigningKey Open(string keyId)
    {
        var path = FindKeyFile(keyId) ?? throw ECertException.NotFound($"key '{keyId}' is not in the keystore {_folder}");
        var algorithm = KeyAlgorithms.Parse(Path.GetFileName(path).Split('.')[^3]);
        AsymmetricAlgorithm key = algorithm is KeyAlgorithm.P256 or KeyAlgorithm.P384 ? ECDsa.Create() : RSA.Create();
        try
        {
            key.ImportFromEncryptedPem(File.ReadAllText(path), _passphrase);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw ECertException.Invalid($"cannot decrypt key '{keyId}': the keystore passphrase is wrong or the key file is damaged");
        }
        catch (ArgumentException)
        {
            key.Dispose();
            throw new ECertException(ErrorKind.Internal, $"key file {path} is damaged: it holds no encrypted private key");
        }
        return SigningKey.FromKey(keyId, key);
    }

    public byte[] CreateSecret(string secretId, int length)
    {
        CheckId(secretId);
        var path = SecretPath(secretId);
        if (File.Exists(path)) throw ECertException.Conflict($"secret '{secretId}' already exists in the keystore");
        var secret = RandomNumberGenerator.GetBytes(length);
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[length];
        var tag = new byte[16];
        using (var aes = new AesGcm(DeriveKey(salt, _iterations), 16))
            aes.Encrypt(nonce, secret, cipher, tag, System.Text.Encoding.UTF8.GetBytes(secretId));
        var sealedSecret = new SealedSecret("pbkdf2-sha256/aes-256-gcm", _iterations, salt, nonce, cipher, tag);
        WriteOwnerOnly(path, JsonSerializer.Serialize(sealedSecret));
        return secret;
    }

    /// <summary>Opens a secret; decrypted once per process (the key derivation is deliberately slow).</summary>
    public byte[] GetSecret(string secretId) => _secrets.GetOrAdd(secretId, OpenSecret);

    private byte[] OpenSecret(string secretId)
    {
        var path = SecretPath(secretId);
        if (!File.Exists(path)) throw ECertException.NotFound($"secret '{secretId}' is not in the keystore {_folder}");
        try
        {
            var sealedSecret = JsonSerializer.Deserialize<SealedSecret>(File.ReadAllText(path))
                ?? throw new JsonException("empty");
            var secret = new byte[sealedSecret.Cipher.Length];
            using var aes = new AesGcm(DeriveKey(sealedSecret.Salt, sealedSecret.Iterations), 16);
            aes.Decrypt(sealedSecret.Nonce, sealedSecret.Cipher, sealedSecret.Tag, secret, System.Text.Encoding.UTF8.GetBytes(secretId));
            return secret;
        }
        catch (CryptographicException)
        {
            throw ECertException.Invalid($"cannot decrypt secret '{secretId}': the keystore passphrase is wrong or the file is damaged");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NullReferenceException)
        {
            throw new ECertException(ErrorKind.Internal, $"secret file {path} is damaged: {e.Message}");
        }
    }

    private sealed record SealedSecret(string Scheme, int Iterations, byte[] Salt, byte[] Nonce, byte[] Cipher, byte[] Tag);

    private byte[] DeriveKey(byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(_passphrase, salt, iterations, HashAlgorithmName.SHA256, 32);

    private string SecretPath(string secretId) => Path.Combine(_folder, $"{secretId}.secret.json");

    private string? FindKeyFile(string keyId)
    {
        CheckId(keyId); // an id is used in a file pattern: never a wildcard or a path
        return Directory.EnumerateFiles(_folder, $"{keyId}.*.p8.pem").FirstOrDefault(p => Path.GetFileName(p).Split('.').Length == 4);
    }

    /// <summary>A key or secret id: letters, digits and hyphens, so that it never works as a file pattern or a path.</summary>
    public static void CheckId(string id)
    {
        if (id.Length == 0 || id.Length > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ECertException.Invalid($"key id '{id}' must be letters, digits and hyphens");
    }

    /// <summary>Writes a new file that only the owner can read, and fails rather than overwrite.</summary>
    private static void WriteOwnerOnly(string path, string content)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(path, options);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
        stream.Flush(flushToDisk: true);
    }
}
