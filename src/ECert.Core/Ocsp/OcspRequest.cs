using System.Formats.Asn1;
using ECert.Core.Asn1;

namespace ECert.Core.Ocsp;

/// <summary>One CertID of a request, kept as received so the response can echo it exactly.</summary>
public sealed record OcspCertId(string HashAlgorithmOid, byte[] IssuerNameHash, byte[] IssuerKeyHash, byte[] Serial, byte[] Encoded);

/// <summary>
/// A parsed OCSP request (RFC 6960 4.1.1). Parsing is strict DER with no trailing bytes; anything
/// else is a malformed request.
/// <code>
/// OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
/// TBSRequest  ::= SEQUENCE {
///     version           [0] EXPLICIT Version DEFAULT v1,
///     requestorName     [1] EXPLICIT GeneralName OPTIONAL,
///     requestList           SEQUENCE OF Request,
///     requestExtensions [2] EXPLICIT Extensions OPTIONAL }
/// Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
/// CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
///                            issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
/// </code>
/// </summary>
public sealed record OcspRequest(IReadOnlyList<OcspCertId> CertIds, byte[]? Nonce)
{
    public const int MaxRequestBytes = 16 * 1024;
    public const int MaxCertIds = 20;
    public const int MaxNonceBytes = 32;

    /// <summary>
    /// The request relying parties send most (RFC 5019): one SHA-1 CertID, no nonce, as
    /// <c>openssl ocsp -no_nonce</c> does. For the benchmarks and operators' probes.
    /// </summary>
    public static byte[] EncodeSingle(System.Security.Cryptography.X509Certificates.X509Certificate2 issuer, ReadOnlySpan<byte> serial)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())           // OCSPRequest
        using (writer.PushSequence())           // tbsRequest
        using (writer.PushSequence())           // requestList
        using (writer.PushSequence())           // Request
        using (writer.PushSequence())           // reqCert: CertID
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.Sha1);
                writer.WriteNull();
            }
            writer.WriteOctetString(System.Security.Cryptography.SHA1.HashData(issuer.SubjectName.RawData));
            writer.WriteOctetString(System.Security.Cryptography.SHA1.HashData(issuer.PublicKey.EncodedKeyValue.RawData));
            DerWriting.WritePositiveInteger(writer, serial);
        }
        return writer.Encode();
    }

    /// <summary>Parses a request; returns null with a reason when it is malformed.</summary>
    public static OcspRequest? TryParse(ReadOnlySpan<byte> der, out string? problem)
    {
        problem = null;
        if (der.Length == 0) { problem = "empty request"; return null; }
        if (der.Length > MaxRequestBytes) { problem = "request too large"; return null; }
        try
        {
            return Parse(der.ToArray());
        }
        catch (Exception e) when (e is AsnContentException or CryptographicFormatException or FormatException or ArgumentException)
        {
            problem = e.Message;
            return null;
        }
    }

    private static OcspRequest Parse(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var request = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = request.ReadSequence();
        // optionalSignature is allowed but not required; we do not demand signed requests.
        if (request.HasData) request.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
        request.ThrowIfNotEmpty();

        var version = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.PeekTag().HasSameClassAndValue(version))
        {
            var v = tbs.ReadSequence(version);
            if (!v.ReadInteger().IsZero) throw new CryptographicFormatException("unsupported OCSP request version");
            v.ThrowIfNotEmpty();
        }
        var requestor = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
        if (tbs.PeekTag().HasSameClassAndValue(requestor)) tbs.ReadEncodedValue();

        var list = tbs.ReadSequence();
        var certIds = new List<OcspCertId>();
        while (list.HasData)
        {
            if (certIds.Count == MaxCertIds) throw new CryptographicFormatException($"more than {MaxCertIds} certificates in one request");
            var single = list.ReadSequence();
            certIds.Add(ReadCertId(single.ReadEncodedValue().ToArray()));
            // singleRequestExtensions: none is understood, so only their shape and criticality matter.
            if (single.HasData) ReadExtensions(single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)), "singleRequestExtensions", understood: []);
            single.ThrowIfNotEmpty();
        }
        if (certIds.Count == 0) throw new CryptographicFormatException("the request names no certificate");

        byte[]? nonce = null;
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(extensionsTag)
            && ReadExtensions(tbs.ReadSequence(extensionsTag), "requestExtensions", understood: [Oids.OcspNonce]).TryGetValue(Oids.OcspNonce, out var nonceValue))
            nonce = ReadNonce(nonceValue);
        tbs.ThrowIfNotEmpty();
        return new OcspRequest(certIds, nonce);
    }

    /// <summary>
    /// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (RFC 5280 4.1): each at most once. RFC 6960
    /// 4.4: one we do not understand is ignored, unless it is critical. An explicitly encoded
    /// critical FALSE (like an explicit version v1) breaks DER's rule for DEFAULT values but says
    /// nothing else; such requests are answered.
    /// </summary>
    /// <returns>The values of the understood extensions, by OID.</returns>
    private static Dictionary<string, byte[]> ReadExtensions(AsnReader wrapper, string name, IReadOnlyCollection<string> understood)
    {
        var extensions = wrapper.ReadSequence();
        wrapper.ThrowIfNotEmpty();
        if (!extensions.HasData) throw new CryptographicFormatException($"{name} is present but empty");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!seen.Add(oid)) throw new CryptographicFormatException($"extension {oid} appears twice in {name} (RFC 5280 4.2)");
            if (understood.Contains(oid)) values[oid] = value;
            else if (critical) throw new CryptographicFormatException($"critical extension {oid} in {name} is not supported");
        }
        return values;
    }

    private static OcspCertId ReadCertId(byte[] encoded)
    {
        var outer = new AsnReader(encoded, AsnEncodingRules.DER);
        var certId = outer.ReadSequence();
        var algorithm = certId.ReadSequence();
        var hashOid = algorithm.ReadObjectIdentifier();
        if (algorithm.HasData) algorithm.ReadNull();
        algorithm.ThrowIfNotEmpty();
        var nameHash = certId.ReadOctetString();
        var keyHash = certId.ReadOctetString();
        var serial = certId.ReadIntegerBytes().ToArray();
        certId.ThrowIfNotEmpty();
        // DER integers are minimal, so a 21st octet is only ever the 00 that keeps a 20-octet serial positive.
        if (serial.Length == 0 || serial.Length > 21 || (serial.Length == 21 && serial[0] != 0) || (serial[0] & 0x80) != 0)
            throw new CryptographicFormatException("the serial number is not a positive integer of at most 20 octets");
        return new OcspCertId(hashOid, nameHash, keyHash, serial, encoded);
    }

    /// <summary>
    /// Nonce ::= OCTET STRING inside the extension value (RFC 6960 4.4.1), of 1 to 32 octets (RFC
    /// 8954). Some clients put the raw bytes in the extension value: a value that is not one whole
    /// OCTET STRING is taken as such, with the same limits. The extension value is echoed as received.
    /// </summary>
    private static byte[] ReadNonce(byte[] extensionValue)
    {
        var length = extensionValue.Length;
        if (extensionValue is [0x04, ..])
        {
            try
            {
                var reader = new AsnReader(extensionValue, AsnEncodingRules.DER);
                var inner = reader.ReadOctetString();
                if (!reader.HasData) length = inner.Length;
            }
            catch (AsnContentException)
            {
                // Raw bytes that happen to start with 04.
            }
        }
        if (length is 0 or > MaxNonceBytes)
            throw new CryptographicFormatException("the nonce must be 1 to 32 octets (RFC 8954)");
        return extensionValue;
    }
}

/// <summary>A structural error in an OCSP request.</summary>
public sealed class CryptographicFormatException(string message) : Exception(message);
