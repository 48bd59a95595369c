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
        if (SignatureAlgorithm(der) == RsaPss)
            throw ECertException.Policy("RSA-PSS signed CSRs are not supported; sign the request with PKCS#1 v1.5 (e.g. openssl req -sigopt rsa_padding_mode:pkcs1)");
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

    /// <summary>CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature }</summary>
    private static string? SignatureAlgorithm(byte[] der)
    {
        try
        {
            var request = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            request.ReadEncodedValue();
            return request.ReadSequence().ReadObjectIdentifier();
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return null;
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
            var fields = PemEncoding.TryFind(text.AsSpan(begin), out var found) ? found : throw ECertException.Invalid("the CSR's PEM armour is damaged");
            try { return Convert.FromBase64String(text.AsSpan(begin)[fields.Base64Data].ToString()); }
            catch (FormatException) { throw ECertException.Invalid("the CSR's PEM body is not valid base64"); }
        }
        throw ECertException.Invalid("the CSR is neither DER nor PEM with a 'BEGIN CERTIFICATE REQUEST' header");
    }
}
