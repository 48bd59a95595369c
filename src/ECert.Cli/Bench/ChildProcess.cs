using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ECert.Cli.Bench;

/// <summary>What a finished child process left: exit code, output, wall time and (when timed) its peak resident memory.</summary>
internal sealed record ChildResult(int ExitCode, string Stdout, string Stderr, TimeSpan Wall, long? PeakRssKb)
{
    public double PeakRssMb => (PeakRssKb ?? 0) / 1024.0;
}

/// <summary>
/// Runs the bench's child processes (./ecert, openssl, wrk, nginx, cfssl) in the bench folder, so
/// that the commands printed in the results are the ones run, with relative paths.
/// </summary>
internal sealed class ChildProcess(string workingDirectory, IReadOnlyDictionary<string, string?> environment)
{
    public const string TimeTool = "/usr/bin/time";

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>./ecert as a child: the same build that runs this bench (dotnet ecert.dll).</summary>
    public static (string File, string[] Prefix) Ecert =>
        (Environment.ProcessPath ?? "dotnet", [typeof(ChildProcess).Assembly.Location]);

    public static string Display(string file, IEnumerable<string> arguments)
    {
        var name = file == Ecert.File ? "./ecert" : Path.GetFileName(file) is { Length: > 0 } n && file.StartsWith('/') && file != TimeTool ? n : file;
        var rest = file == Ecert.File ? arguments.Skip(1) : arguments;
        return string.Join(' ', new[] { name }.Concat(rest.Select(Quote)));
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c)) ? argument : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public ChildResult RunEcert(IEnumerable<string> arguments, bool timed = false, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? extra = null) =>
        Run(Ecert.File, [.. Ecert.Prefix, .. arguments], timed, timeout, extra: extra);

    /// <summary>
    /// Runs to completion; with <paramref name="timed"/>, under /usr/bin/time for the peak RSS (%M);
    /// <paramref name="extra"/> adds to (or, with null values, removes from) the bench's environment.
    /// </summary>
    public ChildResult Run(string file, IReadOnlyList<string> arguments, bool timed = false, TimeSpan? timeout = null, string? stdin = null,
        IReadOnlyDictionary<string, string?>? extra = null)
    {
        string? timeFile = null;
        var actualFile = file;
        var actualArguments = arguments.ToList();
        if (timed)
        {
            timeFile = Path.Combine(Path.GetTempPath(), $"ecert-bench-time-{Guid.NewGuid():N}");
            actualFile = TimeTool;
            actualArguments = ["-f", "%e %M", "-o", timeFile, file, .. arguments];
        }
        using var process = new Process { StartInfo = StartInfo(actualFile, actualArguments, extra) };
        process.StartInfo.RedirectStandardInput = stdin is not null;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout ?? TimeSpan.FromHours(2)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Display(file, arguments)} did not finish in time");
        }
        process.WaitForExit();
        var wall = clock.Elapsed;
        long? peak = null;
        if (timeFile is not null && File.Exists(timeFile))
        {
            // "%e %M": elapsed seconds and maximum resident set size in KB (the last line). The wall time is our own stopwatch's.
            var line = File.ReadAllLines(timeFile).LastOrDefault(l => l.Trim().Length > 0)?.Trim().Split(' ');
            if (line is { Length: 2 } && long.TryParse(line[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)) peak = kb;
            File.Delete(timeFile);
        }
        return new ChildResult(process.ExitCode, stdout.ToString(), stderr.ToString(), wall, peak);
    }

    /// <summary>Starts a server in the background; its output goes to <paramref name="log"/>.</summary>
    public Process Start(string file, IReadOnlyList<string> arguments, string log)
    {
        var process = new Process { StartInfo = StartInfo(file, arguments) };
        var writer = new StreamWriter(Path.Combine(WorkingDirectory, log)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (writer) writer.Dispose(); };
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Stops a server this bench started (and its children), by its process id.</summary>
    public static void Stop(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    private ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment.Concat(extra ?? new Dictionary<string, string?>()))
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return info;
    }

    /// <summary>Whether a program is on the PATH (or an absolute path that exists).</summary>
    public static bool OnPath(string program) =>
        program.StartsWith('/') ? File.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(folder => File.Exists(Path.Combine(folder, program)));

    /// <summary>A free TCP port on 127.0.0.1 (the kernel's choice, released at once).</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
