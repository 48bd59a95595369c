using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ECert.Core.Asn1;
using ECert.Core.Identity;

namespace ECert.Core.Tests;

/// <summary>
/// The subject names, public keys and identity digests every certificate carries, written by our
/// own code for speed (a bulk run makes a million of each): the same bytes as the platform's.
/// </summary>
public class CertificateFieldTests
{
    public static TheoryData<string[]> Names => new()
    {
        new[] { "C=HK", "CN=CHAN Tai Man", "SN=0000000001" },
        new[] { "C=HK", "CN=陳大文", "SN=0000000002" },
        new[] { "C=HK", "O=Example Trading Limited", "OU=Finance", "OI=NTRHK-12345678", "CN=WONG Siu Ming", "SN=0000000003" },
        new[] { "C=HK", "L=Hong Kong", "O=Example Limited", "OI=NTRHK-12345678-001", "CN=www.example.com.hk", "SN=0000000004" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void NamesAreTheBytesTheBuilderOfThePlatformWrites(string[] attributes)
    {
        var ours = new DistinguishedName();
        var platform = new X500DistinguishedNameBuilder();
        foreach (var (oid, value, tag) in attributes.Select(Attribute))
            ours.Add(oid, value, tag);
        // The platform's builder encodes the last attribute added first.
        foreach (var (oid, value, tag) in attributes.Select(Attribute).Reverse())
            platform.Add(oid, value, tag);

        var name = ours.Build();
        Assert.Equal(Convert.ToHexString(platform.Build().RawData), Convert.ToHexString(name.RawData));
        Assert.Equal(DistinguishedName.CountryName, name.EnumerateRelativeDistinguishedNames(reversed: false).First().GetSingleElementType().Value);
    }

    [Fact]
    public void APrintableStringAttributeRefusesWhatPrintableStringCannotHold()
    {
        var error = Assert.Throws<ECertException>(() => new DistinguishedName().Add("2.5.4.5", "00_01", UniversalTagNumber.PrintableString).Build());
        Assert.Equal("name attribute 2.5.4.5 has characters a PrintableString cannot hold", error.Message);
    }

    [Fact]
    public void IdentityDigestsAreTheHmacOfTheCanonicalNumberWhicheverProtectorRanLastOnTheThread()
    {
        // Each thread keeps one HMAC context, for the protector that used it last.
        var (firstKey, secondKey) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var (first, second) = (new IdentityNumberProtector(firstKey), new IdentityNumberProtector(secondKey));
        var numbers = new[] { "A123456(3)", $"AB987654({HkIdentityNumber.ComputeCheckDigit("AB", "987654")})", "A123456(3)" }.Select(HkIdentityNumber.Parse).ToList();
        foreach (var number in numbers)
        {
            var message = Encoding.ASCII.GetBytes("HKID:" + number.Canonical);
            Assert.Equal(HMACSHA256.HashData(firstKey, message), first.Digest(number));
            Assert.Equal(HMACSHA256.HashData(secondKey, message), second.Digest(number));
            Assert.Equal(HMACSHA256.HashData(firstKey, message), first.Digest(number));
        }
        var onOtherThreads = numbers.AsParallel().Select(n => Convert.ToHexString(first.Digest(n))).ToList();
        Assert.Equal(numbers.Select(n => Convert.ToHexString(HMACSHA256.HashData(firstKey, Encoding.ASCII.GetBytes("HKID:" + n.Canonical)))), onOtherThreads);
    }

    [Theory] // the key identifier too: the SHA-1 of the key's bits
    [InlineData("rsa2048")]
    [InlineData("p256")]
    [InlineData("p384")]
    public void PublicKeysAreTheBytesThePlatformExports(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm switch
        {
            "rsa2048" => RSA.Create(2048),
            "p256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            _ => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        };
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        DerWriting.WriteSubjectPublicKeyInfo(writer, publicKey);
        Assert.Equal(Convert.ToHexString(publicKey.ExportSubjectPublicKeyInfo()), Convert.ToHexString(writer.Encode()));

        var keyIdentifier = ECert.Core.Issuance.CertificateExtensions.SubjectKeyIdentifier(publicKey);
        var platform = new X509SubjectKeyIdentifierExtension(publicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, critical: false);
        Assert.Equal(Convert.ToHexString(platform.RawData), Convert.ToHexString(keyIdentifier.RawData));
        Assert.Equal((Oids.SubjectKeyIdentifier, false), (keyIdentifier.Oid!.Value, keyIdentifier.Critical));
    }

    private static (string Oid, string Value, UniversalTagNumber Tag) Attribute(string text)
    {
        var (key, value) = (text[..text.IndexOf('=')], text[(text.IndexOf('=') + 1)..]);
        return key switch
        {
            "C" => (DistinguishedName.CountryName, value, UniversalTagNumber.PrintableString),
            "L" => (DistinguishedName.LocalityName, value, UniversalTagNumber.UTF8String),
            "O" => (DistinguishedName.OrganizationName, value, UniversalTagNumber.UTF8String),
            "OU" => (DistinguishedName.OrganizationalUnitName, value, UniversalTagNumber.UTF8String),
            "OI" => (Oids.OrganizationIdentifier, value, UniversalTagNumber.PrintableString),
            "CN" => (DistinguishedName.CommonName, value, UniversalTagNumber.UTF8String),
            "SN" => (Oids.SerialNumberAttribute, value, UniversalTagNumber.PrintableString),
            _ => throw new ArgumentException(key),
        };
    }
}
