using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Server;

namespace ECert.Cli;

/// <summary>
/// Where the subscriber's key comes from and how the result reaches them: a CSR (the subscriber
/// keeps the key), a smart ID card's public key, or central key generation (the key goes only
/// into a PKCS#12 protected by a PIN shown once on stderr, the "PIN envelope"; the CA keeps no copy).
/// Output files are written whole beside their targets and renamed into place together; a
/// certificate that could not be delivered is revoked.
/// </summary>
public sealed class KeyDelivery : IDisposable
{
    private readonly AsymmetricAlgorithm? _generatedKey;
    private readonly PendingFile? _p12;
    private readonly PendingFile _certificate;

    private KeyDelivery(PublicKey publicKey, AsymmetricAlgorithm? generatedKey, PendingFile? p12, PendingFile certificate)
    {
        PublicKey = publicKey;
        _generatedKey = generatedKey;
        _p12 = p12;
        _certificate = certificate;
    }

    public PublicKey PublicKey { get; }

    /// <summary>Checks the options and the output folders before anything is issued.</summary>
    public static KeyDelivery From(FileInfo? csr, bool generate, FileInfo? p12, FileInfo? publicKeyFile, KeyAlgorithm centralAlgorithm, FileInfo certificateFile)
    {
        var sources = (csr is null ? 0 : 1) + (generate ? 1 : 0) + (publicKeyFile is null ? 0 : 1);
        if (sources != 1)
            throw ECertException.Invalid("give exactly one of --csr FILE, --generate-key or --public-key FILE");
        if (generate && p12 is null)
            throw ECertException.Invalid("--generate-key needs --p12 FILE: the generated key is delivered only in that file");
        if (!generate && p12 is not null)
            throw ECertException.Invalid("--p12 goes with --generate-key");
        if (p12 is not null && Server.RegularFiles.SameFile(p12.FullName, certificateFile.FullName))
            throw ECertException.Invalid("--p12 and --out name the same file; the certificate would replace the only copy of the generated key");
        var certificate = new PendingFile(certificateFile);
        if (csr is not null) return new KeyDelivery(CsrReader.ReadPublicKey(ReadInput(csr)), null, null, certificate);
        if (publicKeyFile is not null) return new KeyDelivery(ReadPublicKey(ReadInput(publicKeyFile), publicKeyFile.Name), null, null, certificate);
        var pending = new PendingFile(p12!);
        var key = centralAlgorithm.Generate();
        return new KeyDelivery(PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _), key, pending, certificate);
    }

    /// <summary>Writes the certificate and then the PKCS#12, then shows the PIN; revokes on a failed delivery.</summary>
    public void Deliver(IssuedCertificate issued, EcertInstance instance)
    {
        var certificateOut = _certificate;
        string? pin = null;
        try
        {
            if (_generatedKey is not null)
            {
                pin = PinEnvelope.NewPin();
                _p12!.WriteTemporary(BuildPkcs12(issued, _generatedKey, instance, pin));
            }
            certificateOut.WriteTemporary(System.Text.Encoding.ASCII.GetBytes(issued.Pem));
            // The key last: should the two names still reach one file (a case-insensitive disk),
            // the certificate is what is lost, and it can be fetched again; the key cannot.
            certificateOut.Commit();
            _p12?.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            certificateOut.Discard();
            _p12?.Discard();
            _p12?.DeleteTarget();
            instance.Status().Revoke(issued.SerialHex, Core.Status.RevocationReason.CessationOfOperation);
            throw new IOException($"certificate {issued.SerialHex} was issued but could not be delivered ({e.Message}); it has been revoked (cessationOfOperation): issue again", e);
        }
        if (pin is not null)
        {
            Console.Error.WriteLine($"PIN envelope for {issued.SerialHex}: {pin}");
            Console.Error.WriteLine("(shown once: print it for the PIN mailer; the CA keeps no copy of the key or the PIN)");
        }
    }

    public void Dispose() => _generatedKey?.Dispose();

    private static byte[] BuildPkcs12(IssuedCertificate issued, AsymmetricAlgorithm key, EcertInstance instance, string pin)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
        using var withKey = key switch
        {
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            _ => throw new InvalidOperationException("unexpected key type"),
        };
        var chain = new X509Certificate2Collection { withKey };
        for (var ca = issued.Issuer; ca is not null; ca = ca.ParentSlug is null ? null : instance.Cas.FindCa(ca.ParentSlug))
            chain.Add(ca.Certificate);
        return chain.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, pin);
    }

    private static byte[] ReadInput(FileInfo file) => InputFiles.Read(file, CsrReader.MaxCsrBytes, "a request or key");

    /// <summary>A SubjectPublicKeyInfo, DER or PEM ("PUBLIC KEY"), as the card personalisation bureau sends it.</summary>
    public static PublicKey ReadPublicKey(byte[] bytes, string what)
    {
        if (bytes.Length > 0 && bytes[0] == 0x30) return SubjectPublicKeyInfoReader.Read(bytes, what);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "PUBLIC KEY")
            throw ECertException.Invalid($"{what} is neither a DER public key nor a PEM one ('BEGIN PUBLIC KEY')");
        byte[] der;
        try { der = Convert.FromBase64String(text[fields.Base64Data]); }
        catch (FormatException) { throw ECertException.Invalid($"{what}'s PEM body is not valid base64"); }
        return SubjectPublicKeyInfoReader.Read(der, what);
    }
}
