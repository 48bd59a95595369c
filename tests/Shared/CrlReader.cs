using System.Formats.Asn1;

namespace ECert.Tests.Shared;

/// <summary>A strict, test-only reader of a CRL's entries, to check what the encoder wrote.</summary>
public static class CrlReader
{
    public static List<(string Serial, int? Reason)> Entries(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = list.ReadSequence();
        tbs.ReadInteger();          // version
        tbs.ReadSequence();         // signature
        tbs.ReadSequence();         // issuer
        ReadTime(tbs);              // thisUpdate
        ReadTime(tbs);              // nextUpdate
        var result = new List<(string, int?)>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var revoked = tbs.ReadSequence();
            while (revoked.HasData)
            {
                var entry = revoked.ReadSequence();
                var serial = Convert.ToHexString(entry.ReadIntegerBytes().Span);
                ReadTime(entry);
                int? reason = null;
                if (entry.HasData)
                {
                    var extensions = entry.ReadSequence();
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadSequence();
                        var oid = extension.ReadObjectIdentifier();
                        var value = extension.ReadOctetString();
                        if (oid == "2.5.29.21") reason = (int)new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedValue<ECert.Core.Status.RevocationReason>();
                    }
                }
                result.Add((serial, reason));
            }
        }
        return result;
    }

    private static void ReadTime(AsnReader reader)
    {
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime)) reader.ReadUtcTime();
        else reader.ReadGeneralizedTime();
    }
}
