using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ECert.Core.Issuance;

/// <summary>
/// Reads a PKCS#10 certificate signing request (PEM or DER) and proves possession of the key by
/// verifying its signature. Only the public key is taken from a CSR: the subject and extensions of
/// the certificate come from the verified application and the profile, never from the request.
/// </summary>
public static class CsrReader
{
    public const int MaxCsrBytes = 64 * 1024;

    public static PublicKey ReadPublicKey(byte[] csr)
    {
        if (csr.Length == 0) throw ECertException.Invalid("the CSR is empty");
        if (csr.Length > MaxCsrBytes) throw ECertException.Invalid($"the CSR is larger than {MaxCsrBytes} bytes");
        var der = ToDer(csr);
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
        }
        catch (CryptographicException e)
        {
            throw ECertException.Invalid($"the CSR is not a valid PKCS#10 request: {e.Message}");
        }
        catch (NotSupportedException)
        {
            throw ECertException.Policy("the CSR's key algorithm is not accepted; use RSA (2048 bits or more) or ECDSA P-256/P-384");
        }
        var (publicKeyInfo, signatureAlgorithm) = Parts(der);
        if (signatureAlgorithm == RsaPss)
            throw ECertException.Policy("RSA-PSS signed CSRs are not supported; sign the request with PKCS#1 v1.5 (e.g. openssl req -sigopt rsa_padding_mode:pkcs1)");
        if (!AcceptedSignatures.Contains(signatureAlgorithm))
            throw ECertException.Policy($"the CSR's signature algorithm ({signatureAlgorithm}) is not accepted; sign it with SHA-256 or stronger (RSA PKCS#1 v1.5 or ECDSA)");
        // Before the signature, so that a key we would refuse anyway is named as such, not as a failed proof.
        SubjectPublicKeyInfoReader.Read(publicKeyInfo.Span, "the CSR's public key");
        try
        {
            // The default options verify the request's self-signature: proof of possession.
            CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException)
        {
            throw ECertException.Invalid("the CSR's signature does not verify: the request was altered or was not signed with the key it carries (proof of possession failed)");
        }
        catch (NotSupportedException)
        {
            throw ECertException.Policy("the CSR's signature algorithm is not accepted; sign it with SHA-256 or stronger (RSA PKCS#1 v1.5 or ECDSA)");
        }
        return request.PublicKey;
    }

    private const string RsaPss = "1.2.840.113549.1.1.10";

    /// <summary>sha256/384/512WithRSAEncryption and ecdsa-with-SHA256/384/512: SHA-1 and MD5 prove nothing.</summary>
    private static readonly HashSet<string> AcceptedSignatures =
        ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"];

    /// <summary>
    /// CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject,
    /// subjectPKInfo, attributes }, signatureAlgorithm, signature } (RFC 2986): the key and the
    /// signature algorithm. The platform's reader has accepted the request already; a shape this
    /// one cannot read is refused all the same, so that no check is skipped.
    /// </summary>
    private static (ReadOnlyMemory<byte> PublicKeyInfo, string SignatureAlgorithm) Parts(byte[] der)
    {
        try
        {
            var request = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            var info = request.ReadSequence();
            info.ReadEncodedValue();
            info.ReadEncodedValue();
            var publicKeyInfo = info.ReadEncodedValue();
            return (publicKeyInfo, request.ReadSequence().ReadObjectIdentifier());
        }
        catch (System.Formats.Asn1.AsnContentException e)
        {
            throw ECertException.Invalid($"the CSR is not a valid PKCS#10 request: {e.Message}");
        }
    }

    private static byte[] ToDer(byte[] csr)
    {
        if (csr[0] == 0x30) return csr;
        var text = Encoding.ASCII.GetString(csr);
        foreach (var label in new[] { "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST" })
        {
            var begin = text.IndexOf($"-----BEGIN {label}-----", StringComparison.Ordinal);
            if (begin < 0) continue;
            // The block found must be the one at the header: TryFind skips a damaged block and finds the next.
            var fields = PemEncoding.TryFind(text.AsSpan(begin), out var found) && found.Location.Start.Value == 0 && text.AsSpan(begin)[found.Label].SequenceEqual(label)
                ? found : throw ECertException.Invalid("the CSR's PEM armour is damaged");
            try { return Convert.FromBase64String(text.AsSpan(begin)[fields.Base64Data].ToString()); }
            catch (FormatException) { throw ECertException.Invalid("the CSR's PEM body is not valid base64"); }
        }
        throw ECertException.Invalid("the CSR is neither DER nor PEM with a 'BEGIN CERTIFICATE REQUEST' header");
    }
}
