using ECert.Core.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Endpoints;

/// <summary>
/// CRLs at the URLs the certificates name (application/pkix-crl): <c>/crl/{ca}.crl</c> for a CA's
/// full CRL and <c>/crl/{ca}/{partition}.crl</c> for a partition. The DER is streamed from the
/// database (a full CRL can be tens of megabytes), never loaded whole.
/// </summary>
public static class CrlEndpoints
{
    public static void MapCrls(this IEndpointRouteBuilder app)
    {
        app.MapGet("/crl/{file}", (string file, HttpContext context, EcertInstance instance) =>
            file.EndsWith(".crl", StringComparison.Ordinal)
                ? Serve(context, instance, file[..^4], null)
                : NotFound(file));

        app.MapGet("/crl/{ca}/{file}", (string ca, string file, HttpContext context, EcertInstance instance) =>
            file.EndsWith(".crl", StringComparison.Ordinal) && int.TryParse(file[..^4], out var partition) && partition >= 0
                ? Serve(context, instance, ca, partition)
                : NotFound($"{ca}/{file}"));
    }

    private static IResult Serve(HttpContext context, EcertInstance instance, string caSlug, int? partition)
    {
        var crl = instance.Certificates.FindLatestCrl(caSlug, partition);
        // The stream is disposed by the result once sent; null only if the CRL was pruned meanwhile.
        var der = crl is null ? null : instance.Certificates.OpenCrl(crl);
        if (crl is null || der is null) return NotFound(partition is null ? caSlug : $"{caSlug}/{partition}");
        var now = instance.Time.GetUtcNow();
        var maxAge = (long)Math.Clamp((crl.NextUpdate - now).TotalSeconds, 0, 300);
        context.Response.Headers.CacheControl = $"max-age={maxAge}, public, no-transform, must-revalidate";
        context.Response.Headers.LastModified = crl.ThisUpdate.ToString("R");
        context.Response.Headers.ETag = $"\"{crl.CaSlug}-{crl.Number}\"";
        return Results.Stream(der, "application/pkix-crl");
    }

    private static IResult NotFound(string what) =>
        EcertServer.Problem(StatusCodes.Status404NotFound, "CRL not found", $"there is no CRL '{what}'; CRLs are at /crl/<ca>.crl and /crl/<ca>/<partition>.crl");
}
