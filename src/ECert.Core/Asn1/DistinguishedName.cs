using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Core.Asn1;

/// <summary>
/// Builds a distinguished name in the conventional order, most general first (C, L, O, OU,
/// organizationIdentifier, CN, serialNumber). <see cref="X500DistinguishedNameBuilder"/> encodes
/// the last attribute added first, so we add in reverse.
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

    public X500DistinguishedName Build()
    {
        var builder = new X500DistinguishedNameBuilder();
        for (var i = _attributes.Count - 1; i >= 0; i--)
            builder.Add(_attributes[i].Oid, _attributes[i].Value, _attributes[i].Tag);
        return builder.Build();
    }
}
