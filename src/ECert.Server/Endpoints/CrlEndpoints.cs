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
        app.MapGetAndHead("/crl/{file}", (string file, HttpContext context, EcertInstance instance) =>
            file.EndsWith(".crl", StringComparison.Ordinal)
                ? Serve(context, instance, file[..^4], null)
                : NotFound(file));

        app.MapGetAndHead("/crl/{ca}/{file}", (string ca, string file, HttpContext context, EcertInstance instance) =>
            file.EndsWith(".crl", StringComparison.Ordinal)
            && int.TryParse(file[..^4], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var partition)
                ? Serve(context, instance, ca, partition)
                : NotFound($"{ca}/{file}"));
    }

    private static IResult Serve(HttpContext context, EcertInstance instance, string caSlug, int? partition)
    {
        // One URL a CRL, the one certificates name: routing would also match /CRL/..., a trailing
        // slash, and a partition written 00 or +0.
        var canonical = partition is null ? $"/crl/{caSlug}.crl" : $"/crl/{caSlug}/{partition}.crl";
        if (!string.Equals(context.Request.Path.Value, canonical, StringComparison.Ordinal))
            return NotFound(partition is null ? caSlug : $"{caSlug}/{partition}");
        var crl = instance.Certificates.FindLatestCrl(caSlug, partition);
        // The stream is disposed by the result once sent; null only if the CRL was pruned meanwhile.
        var der = crl is null ? null : instance.Certificates.OpenCrl(crl);
        if (crl is null || der is null) return NotFound(partition is null ? caSlug : $"{caSlug}/{partition}");
        var now = instance.Time.GetUtcNow();
        var maxAge = (long)Math.Clamp((crl.NextUpdate - now).TotalSeconds, 0, 300);
        var etag = $"\"{crl.CaSlug}-{crl.Number}\"";
        context.Response.Headers.CacheControl = $"max-age={maxAge}, public, no-transform, must-revalidate";
        context.Response.Headers.LastModified = crl.ThisUpdate.ToString("R");
        context.Response.Headers.ETag = etag;
        if (NotModified(context.Request, etag))
        {
            der.Dispose();
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Stream(der, "application/pkix-crl");
    }

    /// <summary>
    /// A cache revalidating the CRL it holds with its ETag (RFC 9110 13.1.2). A CRL can be tens of
    /// megabytes; an unchanged one costs headers only. If-Modified-Since is not honoured: two CRLs
    /// published within one second (the schedule and an operator's run) share a Last-Modified, and
    /// a 304 for the older would hide a revocation.
    /// </summary>
    private static bool NotModified(HttpRequest request, string etag) =>
        request.Headers.IfNoneMatch.Count > 0
        && request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Tag == "*" || tag.Tag.Equals(etag, StringComparison.Ordinal));

    private static IResult NotFound(string what) =>
        EcertServer.Problem(StatusCodes.Status404NotFound, "CRL not found", $"there is no CRL '{what}'; CRLs are at /crl/<ca>.crl and /crl/<ca>/<partition>.crl");
}
