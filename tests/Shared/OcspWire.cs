using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Ocsp;
using ECert.Core.Status;

namespace ECert.Tests.Shared;

/// <summary>Test-only OCSP client side: builds requests and reads responses, independently of the responder's code.</summary>
internal static class OcspWire
{
    /// <summary>An OCSPRequest for one serial of an issuer, SHA-1 CertID, optional nonce.</summary>
    public static byte[] Request(X509Certificate2 issuer, string serialHex, byte[]? nonce = null, string hashOid = Oids.Sha1)
    {
        if (nonce is null) return Request(issuer, serialHex, extensions: null, hashOid);
        var value = new AsnWriter(AsnEncodingRules.DER);
        value.WriteOctetString(nonce);
        return Request(issuer, serialHex, [(Oids.OcspNonce, value.Encode())], hashOid);
    }

    /// <summary>The same with request extensions given as (OID, extension value); an empty list writes an empty SEQUENCE.</summary>
    public static byte[] Request(X509Certificate2 issuer, string serialHex, IReadOnlyList<(string Oid, byte[] Value)>? extensions, string hashOid = Oids.Sha1,
        IReadOnlySet<string>? critical = null)
    {
        Func<byte[], byte[]> hash = hashOid == Oids.Sha1 ? SHA1.HashData : SHA256.HashData;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            using (writer.PushSequence())
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(hashOid);
                    writer.WriteNull();
                }
                writer.WriteOctetString(hash(issuer.SubjectName.RawData));
                writer.WriteOctetString(hash(issuer.PublicKey.EncodedKeyValue.RawData));
                writer.WriteIntegerUnsigned(Convert.FromHexString(serialHex));
            }
            if (extensions is not null)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                using (writer.PushSequence())
                    foreach (var (oid, value) in extensions)
                        DerWriting.WriteExtension(writer, oid, critical?.Contains(oid) == true, value);
            }
        }
        return writer.Encode();
    }

    /// <summary>Reads the response status and, when successful, the first single response's status tag and reason.</summary>
    public static (OcspResponseStatus Status, OcspCertStatus? CertStatus, RevocationReason? Reason, byte[]? Nonce) Read(byte[] der)
    {
        var response = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var status = response.ReadEnumeratedValue<OcspResponseStatus>();
        if (!response.HasData) return (status, null, null, null);
        var bytes = response.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        Assert.Equal(Oids.OcspBasic, bytes.ReadObjectIdentifier());
        var basic = new AsnReader(bytes.ReadOctetString(), AsnEncodingRules.DER).ReadSequence();
        var data = basic.ReadSequence();
        data.ReadEncodedValue(); // responderID
        data.ReadGeneralizedTime();
        var single = data.ReadSequence().ReadSequence();
        single.ReadSequence(); // certID
        var tag = single.PeekTag();
        OcspCertStatus certStatus = (OcspCertStatus)tag.TagValue;
        RevocationReason? reason = null;
        if (certStatus == OcspCertStatus.Revoked)
        {
            var info = single.ReadSequence(tag);
            info.ReadGeneralizedTime();
            if (info.HasData) reason = info.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadEnumeratedValue<RevocationReason>();
        }
        else single.ReadEncodedValue();
        byte[]? nonce = null;
        if (data.HasData)
        {
            var extension = data.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence().ReadSequence();
            Assert.Equal(Oids.OcspNonce, extension.ReadObjectIdentifier());
            nonce = new AsnReader(extension.ReadOctetString(), AsnEncodingRules.DER).ReadOctetString();
        }
        return (status, certStatus, reason, nonce);
    }

}
