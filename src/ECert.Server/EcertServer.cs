using ECert.Server.Api;
using ECert.Server.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ECert.Server;

/// <summary>Builds the web application that serves OCSP, CRLs, the repository and health.</summary>
public static class EcertServer
{
    public static WebApplication Build(EcertInstance instance, string urls, LogLevel logLevel = LogLevel.Warning)
    {
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
        builder.Services.AddSingleton(instance);
        builder.Services.AddSingleton(instance.OcspResponder());
        builder.Services.AddSingleton(instance.CrlPublisher());
        builder.Services.AddProblemDetails();
        builder.Services.AddApi(instance.Settings.BaseUrl);
        builder.Services.AddHostedService<CrlScheduler>();
        builder.Services.AddHostedService<OcspPresignService>();
        builder.Services.AddHostedService<ServiceSweeper>();

        var app = builder.Build();
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

    /// <summary>An RFC 7807 problem document.</summary>
    internal static IResult Problem(int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status, type: $"urn:ecert:problem:{title.ToLowerInvariant().Replace(' ', '-')}");
}
