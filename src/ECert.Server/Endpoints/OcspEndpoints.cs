using System.Security.Cryptography;
using ECert.Core.Ocsp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ECert.Server.Endpoints;

/// <summary>
/// OCSP over HTTP (RFC 6960 Appendix A, RFC 5019): POST with the DER request as the body, and
/// GET with the base64 request, URL-encoded, as the last path segment. GET answers carry cache
/// headers no longer than the response's validity allows.
/// </summary>
public static partial class OcspEndpoints
{
    private const string ResponseType = "application/ocsp-response";

    public static void MapOcsp(this IEndpointRouteBuilder app)
    {
        // Plain request delegates: the responder and settings are resolved once, not per request,
        // so a cached answer costs a parse, a dictionary lookup and a write.
        var responder = app.ServiceProvider.GetRequiredService<OcspResponder>();
        var instance = app.ServiceProvider.GetRequiredService<EcertInstance>();
        var logger = app.ServiceProvider.GetRequiredService<ILogger<OcspResponder>>();
        var maxAgeLimit = instance.Settings.Ocsp.HttpMaxAgeSeconds;

        app.MapPost("/ocsp", async context =>
        {
            var body = await ReadBodyAsync(context.Request, OcspRequest.MaxRequestBytes + 1);
            await WriteAsync(context.Response, Respond(responder, body, logger));
        });

        app.MapGet("/ocsp/{**request}", context =>
        {
            var result = Respond(responder, DecodeGetRequest(context), logger);
            SetCacheHeaders(context.Response, result, maxAgeLimit, instance.Time.GetUtcNow());
            return WriteAsync(context.Response, result);
        });
    }

    private static Task WriteAsync(HttpResponse response, OcspResult result)
    {
        response.ContentType = ResponseType;
        response.ContentLength = result.Der.Length;
        return response.Body.WriteAsync(result.Der).AsTask();
    }

    /// <summary>Whatever fails on our side is an OCSP internalError, never an HTML page or a dropped connection.</summary>
    private static OcspResult Respond(OcspResponder responder, byte[] request, ILogger logger)
    {
        try
        {
            var result = responder.Respond(request);
            if (result.Status == OcspResponseStatus.MalformedRequest) LogMalformed(logger, result.Problem);
            return result;
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
            return new OcspResult(OcspResponseEncoder.Error(OcspResponseStatus.InternalError), OcspResponseStatus.InternalError, null, null, e.Message);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Malformed OCSP request: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string? problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "OCSP response failed; answered internalError")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    /// <summary>The raw request target keeps %2F and %2B as sent, which base64 needs.</summary>
    private static byte[] DecodeGetRequest(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var start = raw.IndexOf("/ocsp/", StringComparison.Ordinal);
        if (start < 0) return [];
        var encoded = raw[(start + "/ocsp/".Length)..];
        var query = encoded.IndexOf('?');
        if (query >= 0) encoded = encoded[..query];
        var base64 = Uri.UnescapeDataString(encoded).Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        try { return Convert.FromBase64String(base64); }
        catch (FormatException) { return []; }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit) return [];
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > limit) return [];
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static void SetCacheHeaders(HttpResponse response, OcspResult result, int maxAgeLimit, DateTimeOffset now)
    {
        if (result is not { Status: OcspResponseStatus.Successful, ThisUpdate: { } thisUpdate, NextUpdate: { } nextUpdate })
        {
            response.Headers.CacheControl = "no-store";
            return;
        }
        var maxAge = (long)Math.Max(0, Math.Min(maxAgeLimit, (nextUpdate - now).TotalSeconds));
        response.Headers.CacheControl = $"max-age={maxAge}, public, no-transform, must-revalidate";
        response.Headers.LastModified = thisUpdate.ToString("R");
        response.Headers.Expires = now.AddSeconds(maxAge).ToString("R");
        response.Headers.ETag = result.ETag ?? $"\"{Convert.ToHexString(SHA1.HashData(result.Der))}\"";
    }
}
