namespace ECert.Cli.Bench;

/// <summary>OCSP requests as relying parties send them: one SHA-1 CertID, no nonce (openssl ocsp -no_nonce).</summary>
internal static class OcspRequests
{
    public static byte[] For(System.Security.Cryptography.X509Certificates.X509Certificate2 issuer, string serialHex) =>
        Core.Ocsp.OcspRequest.EncodeSingle(issuer, Convert.FromHexString(serialHex));

    /// <summary>The RFC 5019 GET path: /ocsp/ and the URL-encoded base64 of the request.</summary>
    public static string GetPath(string prefix, byte[] request) => prefix + Uri.EscapeDataString(Convert.ToBase64String(request));
}
