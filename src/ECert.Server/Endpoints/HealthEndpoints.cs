using ECert.Core.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Endpoints;

/// <summary>
/// <c>/health</c>: 200 when the database answers and every CA's CRL is current, 503 otherwise,
/// with the reason in the body, for the load balancer and the government's availability figures.
/// </summary>
public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGetAndHead("/health", (EcertInstance instance) =>
        {
            var now = instance.Time.GetUtcNow();
            try
            {
                var cas = instance.Cas.ListCas();
                var stale = cas.Where(ca => instance.Certificates.FindLatestCrl(ca.Slug, null) is not { } crl || crl.NextUpdate <= now)
                    .Select(ca => ca.Slug).ToList();
                var body = new { status = stale.Count == 0 && cas.Count > 0 ? "ok" : "degraded", time = now, certificateAuthorities = cas.Count, staleCrls = stale };
                return Results.Json(body, statusCode: stale.Count == 0 && cas.Count > 0 ? 200 : 503);
            }
            catch (Exception e)
            {
                return Results.Json(new { status = "down", time = now, error = e.Message }, statusCode: 503);
            }
        });
    }
}
