using System.CommandLine;
using ECert.Core.Settings;
using ECert.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert serve</c>: OCSP, CRLs, the repository and health over HTTP. On first start with no
/// instance in the data folder it creates one with a demo hierarchy whose URLs point at this server.
/// </summary>
public static class ServeCommand
{
    private static readonly Option<string> Urls = new("--urls")
    {
        Description = "Where to listen (default http://127.0.0.1:8080)",
        DefaultValueFactory = _ => "http://127.0.0.1:8080",
    };

    private static readonly Option<string> LogLevelOption = new("--log-level")
    {
        Description = "Least severe log level written to stderr: Trace, Debug, Information, Warning, Error",
        DefaultValueFactory = _ => "Warning",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Serve OCSP, CRLs and the repository; creates a demo hierarchy on first start");
        command.Options.Add(Urls);
        command.Options.Add(LogLevelOption);
        command.SetAction((parse, cancellation) => RunAsync(parse, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellation)
    {
        EcertInstance? instance = null;
        var exit = CommonOptions.Run(() =>
        {
            var folder = CommonOptions.DataFolder(parse);
            var urls = parse.GetValue(Urls)!;
            EcertServer.CheckUrls(urls); // before a first start creates a hierarchy for that address
            if (!EcertInstance.Exists(folder))
            {
                EcertServer.CheckCanListen(urls);
                Console.Error.WriteLine($"ecert: no instance in {folder}; creating a demo hierarchy for {urls.Split(';')[0]}");
                instance = InitCommand.Initialize(folder, new CaSettings { BaseUrl = urls.Split(';')[0] }, confirmPassphrase: true);
            }
            else
            {
                instance = CommonOptions.OpenInstance(parse);
            }
            // Open one CA key now, so a wrong passphrase fails at start rather than at the first request.
            var firstCa = instance.Cas.ListCas().FirstOrDefault()
                ?? throw Core.ECertException.NotFound($"{folder} holds no CA hierarchy; run './ecert init'");
            instance.Keys.GetSigningKey(firstCa.KeyId);
            return 0;
        });
        if (exit != 0 || instance is null) return exit;

        if (!Enum.TryParse<LogLevel>(parse.GetValue(LogLevelOption), ignoreCase: true, out var level))
        {
            Console.Error.WriteLine("ecert: --log-level must be one of Trace, Debug, Information, Warning, Error");
            return 2;
        }
        Microsoft.AspNetCore.Builder.WebApplication? app = null;
        exit = CommonOptions.Run(() =>
        {
            app = EcertServer.Build(instance, parse.GetValue(Urls)!, level);
            return 0;
        });
        if (exit != 0 || app is null) return exit;
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"ecert: cannot listen on {parse.GetValue(Urls)}: {e.Message.ReplaceLineEndings(" ")}");
            return 74;
        }
        Console.WriteLine($"ecert: serving {instance.Folder} on {string.Join(", ", app.Urls)}");
        await app.WaitForShutdownAsync(cancellation);
        return 0;
    }
}
