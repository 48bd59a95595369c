using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Core.Asn1;

/// <summary>
/// Builds a distinguished name in the conventional order, most general first (C, L, O, OU,
/// organizationIdentifier, CN, serialNumber): attributes are encoded in the order they are added.
/// </summary>
public sealed class DistinguishedName
{
    public const string CountryName = "2.5.4.6";
    public const string LocalityName = "2.5.4.7";
    public const string OrganizationName = "2.5.4.10";
    public const string OrganizationalUnitName = "2.5.4.11";
    public const string CommonName = "2.5.4.3";

    private readonly List<(string Oid, string Value, UniversalTagNumber Tag)> _attributes = [];

    public DistinguishedName Add(string oid, string value, UniversalTagNumber tag = UniversalTagNumber.UTF8String)
    {
        _attributes.Add((oid, value, tag));
        return this;
    }

    public DistinguishedName Country(string code) => Add(CountryName, code, UniversalTagNumber.PrintableString);
    public DistinguishedName Locality(string name) => Add(LocalityName, name);
    public DistinguishedName Organization(string name) => Add(OrganizationName, name);
    public DistinguishedName OrganizationalUnit(string name) => Add(OrganizationalUnitName, name);
    public DistinguishedName Common(string name) => Add(CommonName, name);

    /// <summary>
    /// The DER Name: one single-attribute RDN per attribute, in the order added. Written directly
    /// (the same bytes as X500DistinguishedNameBuilder, which parses each OID and allocates a writer
    /// per attribute): every certificate of a bulk run has its own subject.
    /// </summary>
    public X500DistinguishedName Build()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 256);
        using (writer.PushSequence())
        {
            foreach (var (oid, value, tag) in _attributes)
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    DerWriting.WriteObjectIdentifier(writer, oid);
                    try
                    {
                        writer.WriteCharacterString(tag, value);
                    }
                    catch (ArgumentException)
                    {
                        throw ECertException.Invalid($"name attribute {oid} has characters a {tag} cannot hold");
                    }
                }
            }
        }
        return new X500DistinguishedName(writer.Encode());
    }
}
