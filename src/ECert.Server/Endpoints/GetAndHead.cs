using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Endpoints;

/// <summary>
/// HTTP requires HEAD wherever GET works (RFC 9110 9.3.2), and load balancers and caches probe
/// with it: the public endpoints answer both, and Kestrel sends a HEAD answer's headers without
/// its body.
/// </summary>
internal static class GetAndHead
{
    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Head];

    public static RouteHandlerBuilder MapGetAndHead(this IEndpointRouteBuilder app, string pattern, Delegate handler) =>
        app.MapMethods(pattern, Methods, handler);

    public static IEndpointConventionBuilder MapGetAndHead(this IEndpointRouteBuilder app, string pattern, RequestDelegate handler) =>
        app.MapMethods(pattern, Methods, handler);
}
