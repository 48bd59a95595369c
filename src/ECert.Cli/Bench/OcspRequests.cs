using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Cli.Bench;

/// <summary>OCSP requests as relying parties send them: one SHA-1 CertID, no nonce (openssl ocsp -no_nonce).</summary>
internal static class OcspRequests
{
    /// <summary>OCSPRequest ::= SEQUENCE { tbsRequest SEQUENCE { requestList SEQUENCE OF Request { reqCert CertID } } }</summary>
    public static byte[] For(X509Certificate2 issuer, string serialHex)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.3.14.3.2.26");
                writer.WriteNull();
            }
            writer.WriteOctetString(SHA1.HashData(issuer.SubjectName.RawData));
            writer.WriteOctetString(SHA1.HashData(issuer.PublicKey.EncodedKeyValue.RawData));
            writer.WriteInteger(Convert.FromHexString(serialHex));
        }
        return writer.Encode();
    }

    /// <summary>The RFC 5019 GET path: /ocsp/ and the URL-encoded base64 of the request.</summary>
    public static string GetPath(string prefix, byte[] request) => prefix + Uri.EscapeDataString(Convert.ToBase64String(request));
}
