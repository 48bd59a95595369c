using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace ECert.Interop.Tests;

/// <summary>
/// What a relying party does with a certificate it was handed: read the URLs written in it,
/// fetch the issuer and root from the caIssuers URLs, the CRL from its distribution point.
/// </summary>
public sealed class RelyingParty(EcertServerFixture ca)
{
    public static X509Certificate2 Load(string pemPath) => X509Certificate2.CreateFromPem(File.ReadAllText(pemPath));

    public static string CrlUrl(X509Certificate2 certificate)
    {
        // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint; fullName [0] [0] GeneralNames, URI [6]
        var extension = certificate.Extensions["2.5.29.31"] ?? throw new InvalidOperationException("no CRL distribution point");
        var points = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        var point = points.ReadSequence();
        var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
        return name.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6));
    }

    public static string OcspUrl(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single().EnumerateOcspUris().Single();

    public static string CaIssuersUrl(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single().EnumerateCAIssuersUris().Single();

    /// <summary>Downloads a DER object and writes it as PEM with the given label; returns the path.</summary>
    public async Task<string> DownloadPemAsync(string url, string label, string fileName)
    {
        var response = await ca.Http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        var der = await response.Content.ReadAsByteArrayAsync();
        var path = ca.File(fileName);
        await File.WriteAllTextAsync(path, System.Security.Cryptography.PemEncoding.WriteString(label, der));
        return path;
    }

    /// <summary>The issuing CA and root of a certificate, fetched through the caIssuers URLs.</summary>
    public async Task<(string IssuerPem, string RootPem)> ChainAsync(string certificatePem, string tag)
    {
        using var certificate = Load(certificatePem);
        var issuerPem = await DownloadPemAsync(CaIssuersUrl(certificate), "CERTIFICATE", $"{tag}-issuer.pem");
        using var issuer = Load(issuerPem);
        var rootPem = await DownloadPemAsync(CaIssuersUrl(issuer), "CERTIFICATE", $"{tag}-root.pem");
        return (issuerPem, rootPem);
    }

    public async Task<string> CrlAsync(string certificatePem, string fileName)
    {
        using var certificate = Load(certificatePem);
        return await DownloadPemAsync(CrlUrl(certificate), "X509 CRL", fileName);
    }
}
