using ECert.Server.Api;
using ECert.Server.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECert.Server;

/// <summary>Builds the web application that serves OCSP, CRLs, the repository and health.</summary>
public static class EcertServer
{
    public static WebApplication Build(EcertInstance instance, string urls, LogLevel logLevel = LogLevel.Warning)
    {
        CheckUrls(urls);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        if (urls.Contains("https://", StringComparison.OrdinalIgnoreCase)) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            if (urls.Contains("https://", StringComparison.OrdinalIgnoreCase))
                k.ConfigureHttpsDefaults(https =>
                {
                    https.ServerCertificate = TlsCertificate.Load(instance);
                    // Staff may sign in with a client certificate from this CA; it is checked per request.
                    https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                });
        });
        builder.Logging.ClearProviders();
        // Logs go to stderr: stdout carries only the command's own results.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(logLevel);
        // A failure to start (a port in use) is the caller's to report, in one line: the host's own
        // log of it is a stack trace. Once started, the host's messages (a background service
        // that failed, say) are logged as usual.
        IHostApplicationLifetime? lifetime = null;
        // (A rule for that category alone: every other category keeps the plain minimum level, with
        // no function called on the request path; a rule's function replaces its level, so it applies it too.)
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host",
            level => level >= logLevel && lifetime?.ApplicationStarted.IsCancellationRequested == true);
        builder.Services.AddSingleton(instance);
        builder.Services.AddSingleton(instance.OcspResponder());
        builder.Services.AddSingleton(instance.CrlPublisher());
        builder.Services.AddProblemDetails();
        builder.Services.AddApi(instance.Settings.BaseUrl);
        builder.Services.AddHostedService<CrlScheduler>();
        builder.Services.AddHostedService<OcspPresignService>();
        builder.Services.AddHostedService<ServiceSweeper>();

        var app = builder.Build();
        lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseApiAccess();
        app.MapOcsp();
        app.MapCrls();
        app.MapRepository();
        app.MapHealth();
        app.MapOpenApi("/openapi/v1.json");
        app.MapOutletApi();
        app.MapSubscriberApi();
        app.MapApplicationApi();
        app.MapBillingApi();
        app.MapConsentApi();
        return app;
    }

    /// <summary>
    /// Before a first start makes a hierarchy whose certificates name the address: it has a port
    /// (not 0, which would be chosen at random) that is free now.
    /// </summary>
    public static void CheckCanListen(string urls)
    {
        CheckUrls(urls);
        // Every probe stays open until all are bound: two addresses that clash with each other
        // (127.0.0.1:8080 and 0.0.0.0:8080) fail here too.
        var probes = new List<System.Net.Sockets.TcpListener>();
        try
        {
            foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries)) probes.AddRange(Probe(url));
        }
        finally
        {
            foreach (var probe in probes) probe.Stop();
        }
    }

    /// <returns>The listener bound to the address, or none for a host name (Kestrel resolves those at start).</returns>
    private static System.Net.Sockets.TcpListener[] Probe(string url)
    {
        var uri = ListenUri(url);
        if (uri.Port == 0) throw Core.ECertException.Invalid($"'{url}' has port 0; the first start writes the address into the CA's certificates, so give the port it will keep");
        var address = uri.IsLoopback && !System.Net.IPAddress.TryParse(uri.Host, out _) ? System.Net.IPAddress.Loopback
            : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? literal : null;
        if (address is null) return [];
        var probe = new System.Net.Sockets.TcpListener(address, uri.Port);
        try
        {
            probe.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"cannot listen on {url}: {e.Message}", e);
        }
        return [probe];
    }

    /// <summary>Each of the ';'-separated addresses is an absolute http or https URL with a port in range.</summary>
    public static void CheckUrls(string urls)
    {
        if (string.IsNullOrWhiteSpace(urls)) throw Core.ECertException.Invalid("--urls is empty; give e.g. http://127.0.0.1:8080");
        foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries)) ListenUri(url);
    }

    /// <summary>One address as a URI; Kestrel's wildcard hosts (http://*:8080, http://+:8080) are not URI hosts, so they read as 0.0.0.0.</summary>
    private static Uri ListenUri(string url) =>
        Uri.TryCreate(url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && uri.PathAndQuery == "/"
            ? uri
            : throw Core.ECertException.Invalid($"'{url}' is not an address to listen on; give e.g. http://127.0.0.1:8080 or https://0.0.0.0:8443");

    /// <summary>An RFC 7807 problem document.</summary>
    internal static IResult Problem(int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status, type: $"urn:ecert:problem:{title.ToLowerInvariant().Replace(' ', '-')}");
}
