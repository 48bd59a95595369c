using ECert.Core;
using ECert.Core.Issuance;
using ECert.Core.Status;
using ECert.Core.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Endpoints;

/// <summary>
/// The public repository: CA certificates at the caIssuers URLs, issued certificates by serial,
/// and an index of what is published where.
/// </summary>
public static class RepositoryEndpoints
{
    private const string CertificateType = "application/pkix-cert";

    public static void MapRepository(this IEndpointRouteBuilder app)
    {
        app.MapGetAndHead("/ca/{file}", (string file, EcertInstance instance) =>
        {
            var slug = file.EndsWith(".crt", StringComparison.Ordinal) ? file[..^4] : file;
            var ca = instance.Cas.FindCa(slug);
            return ca is null
                ? EcertServer.Problem(StatusCodes.Status404NotFound, "CA not found", $"there is no CA '{slug}'; see /repository for the list")
                : Results.Bytes(ca.CertificateDer, CertificateType);
        });

        app.MapGetAndHead("/repository", (EcertInstance instance) =>
        {
            var urls = new CaUrls(instance.Settings.BaseUrl);
            return Results.Json(new
            {
                ocsp = urls.Ocsp,
                certificateAuthorities = instance.Cas.ListCas().Select(ca => new
                {
                    slug = ca.Slug,
                    role = ca.Role == CaRole.Root ? "root" : "issuing",
                    subject = ca.Certificate.Subject,
                    notAfter = ca.NotAfter,
                    certificate = urls.CaCertificate(ca.Slug),
                    crl = urls.FullCrl(ca.Slug),
                    partitions = ca.Role == CaRole.Issuing ? instance.Certificates.PartitionCount(ca.Slug) : 0,
                }),
            });
        });

        app.MapGetAndHead("/repository/certificates/{serial}", (string serial, EcertInstance instance) =>
        {
            string serialHex;
            try { serialHex = SerialNumbers.Normalize(serial); }
            catch (ECertException e) { return EcertServer.Problem(StatusCodes.Status400BadRequest, "Bad serial", e.Message); }
            var record = instance.Certificates.FindCertificate(serialHex);
            // Only certificates their subscribers accepted are published (DOMAIN.md, lifecycle step 4).
            if (record?.Der is null || !record.Published || record.State is CertificateState.Reserved or CertificateState.Abandoned)
                return EcertServer.Problem(StatusCodes.Status404NotFound, "Certificate not found", $"no certificate with serial {serialHex} is published");
            return Results.Bytes(record.Der, CertificateType);
        });
    }
}
