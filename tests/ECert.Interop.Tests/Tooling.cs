using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ECert.Interop.Tests;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs real programs (./ecert, openssl) and finds the repository.</summary>
public static class Tooling
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string EcertScript => Path.Combine(RepositoryRoot, "ecert");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ecert")) && File.Exists(Path.Combine(dir.FullName, "ECert.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (the folder with ./ecert)");
    }

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the job and kills it (SIGKILL) after <paramref name="after"/>; false if it had already finished.</summary>
    public static async Task<bool> RunAndKillAsync(string[] arguments, Dictionary<string, string> environment, string folder, TimeSpan after)
    {
        var start = new ProcessStartInfo(EcertScript)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Task.Delay(after);
        if (process.HasExited) return false;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        return true;
    }

    /// <summary>
    /// Starts the same ./ecert command up to <paramref name="kills"/> times, killing it (SIGKILL) after a
    /// random delay between <paramref name="fromMs"/> and <paramref name="toMs"/>; stops early if a run
    /// finishes before its kill. Returns how many runs were killed.
    /// </summary>
    public static async Task<int> KillRepeatedlyAsync(string[] arguments, Dictionary<string, string> environment, string folder, Random random,
        int kills, int fromMs, int toMs)
    {
        var killed = 0;
        while (killed < kills && await RunAndKillAsync(arguments, environment, folder, TimeSpan.FromMilliseconds(random.Next(fromMs, toMs)))) killed++;
        return killed;
    }

    public static Task<ProcessResult> OpensslAsync(params string[] arguments) => RunAsync("openssl", arguments);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
