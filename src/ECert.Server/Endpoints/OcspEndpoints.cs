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

        app.MapGetAndHead("/ocsp/{**request}", context =>
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
        // Most clients send plain base64 with %2B, %2F and %3D escaped; the base64url alphabet and
        // missing padding are accepted too. Each step is skipped when it has nothing to do.
        var base64 = encoded.Contains('%') ? Uri.UnescapeDataString(encoded) : encoded;
        if (base64.AsSpan().IndexOfAny('-', '_') >= 0) base64 = base64.Replace('-', '+').Replace('_', '/');
        if (base64.Length % 4 != 0) base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4), '=');
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
        response.Headers.CacheControl = maxAge == maxAgeLimit ? HttpDates.FullCacheControl(maxAgeLimit) : HttpDates.CacheControl(maxAge);
        response.Headers.LastModified = result.LastModified ?? thisUpdate.ToString("R");
        response.Headers.Expires = HttpDates.Format(now.AddSeconds(maxAge));
        response.Headers.ETag = result.ETag ?? $"\"{Convert.ToHexString(SHA1.HashData(result.Der))}\"";
    }

    /// <summary>
    /// HTTP header values that change at most once a second, formatted once a second rather than
    /// once a request: the responder answers tens of thousands of requests a second from its cache.
    /// </summary>
    private static class HttpDates
    {
        /// <summary>A formatted value and what it was formatted from (a second, or a max-age).</summary>
        private sealed record Formatted(long Second, string Text);

        private static Formatted _expires = new(-1, "");
        private static Formatted _fullCacheControl = new(-1, "");

        public static string Format(DateTimeOffset time)
        {
            var second = time.ToUnixTimeSeconds();
            var cached = _expires;
            if (cached.Second == second) return cached.Text;
            var text = time.ToString("R");
            _expires = new Formatted(second, text);
            return text;
        }

        public static string CacheControl(long maxAge) => $"max-age={maxAge}, public, no-transform, must-revalidate";

        public static string FullCacheControl(int maxAgeLimit)
        {
            var cached = _fullCacheControl;
            if (cached.Second == maxAgeLimit) return cached.Text;
            _fullCacheControl = cached = new Formatted(maxAgeLimit, CacheControl(maxAgeLimit));
            return cached.Text;
        }
    }
}
