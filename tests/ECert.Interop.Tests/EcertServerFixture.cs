using System.Diagnostics;

namespace ECert.Interop.Tests;

/// <summary>
/// A real instance: <c>./ecert init</c> in a fresh data folder, then <c>./ecert serve</c> on a free
/// loopback port, as an operator would run them. Small CRL partitions so tests see several.
/// </summary>
public sealed class EcertServerFixture : IAsyncLifetime
{
    public const string Passphrase = "interop-test-passphrase";
    public const string ApiKey = "interop-test-api-key";
    public const int PartitionSize = 4;

    private Process? _server;
    private readonly System.Text.StringBuilder _serverErrors = new();

    public string WorkFolder { get; } = Path.Combine(Path.GetTempPath(), "ecert-interop-" + Guid.NewGuid().ToString("N")[..8]);
    public string DataFolder => Path.Combine(WorkFolder, "data");
    public int Port { get; } = Tooling.FreePort();
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Dictionary<string, string> Environment => new()
    {
        ["ECERT_DATA"] = DataFolder,
        ["ECERT_KEYSTORE_PASSPHRASE"] = Passphrase,
        ["ECERT_API_KEY"] = ApiKey,
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(WorkFolder);
        var init = await EcertAsync("init", "--base-url", BaseUrl, "--crl-partition-size", PartitionSize.ToString());
        if (init.ExitCode != 0) throw new InvalidOperationException($"ecert init failed: {init}");

        var start = new ProcessStartInfo(Tooling.EcertScript)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkFolder,
        };
        foreach (var argument in new[] { "serve", "--urls", BaseUrl }) start.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment) start.Environment[name] = value;
        _server = Process.Start(start)!;
        _server.ErrorDataReceived += (_, e) => { lock (_serverErrors) _serverErrors.AppendLine(e.Data); };
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_server.HasExited) throw new InvalidOperationException($"ecert serve exited: {ServerErrors}");
            try
            {
                if ((await Http.GetAsync($"{BaseUrl}/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"ecert serve did not become healthy: {ServerErrors}");
    }

    public string ServerErrors { get { lock (_serverErrors) return _serverErrors.ToString(); } }

    public bool ServerIsRunning => _server is { HasExited: false };

    public Task<ProcessResult> EcertAsync(params string[] arguments) =>
        Tooling.RunAsync(Tooling.EcertScript, arguments, Environment, WorkFolder);

    public string File(string name) => Path.Combine(WorkFolder, name);

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(10_000);
        }
        Http.Dispose();
        try { Directory.Delete(WorkFolder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class EcertServerCollection : ICollectionFixture<EcertServerFixture>
{
    public const string Name = "ecert server";
}
