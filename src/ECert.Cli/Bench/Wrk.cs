using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ECert.Cli.Bench;

/// <summary>One wrk run: requests per second, the 99th percentile latency, and what went wrong.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P99Ms, long Non2xx, long SocketErrors, string Command, string Raw)
{
    public bool Clean => RequestsPerSecond > 0 && Non2xx == 0 && SocketErrors == 0;

    public string Summary => RequestsPerSecond <= 0 ? "no result"
        : string.Create(CultureInfo.InvariantCulture, $"{RequestsPerSecond:N0} req/s, p99 {P99Ms:0.00} ms")
          + (Non2xx > 0 ? string.Create(CultureInfo.InvariantCulture, $", {Non2xx:N0} non-2xx") : "")
          + (SocketErrors > 0 ? string.Create(CultureInfo.InvariantCulture, $", {SocketErrors:N0} socket errors") : "");
}

/// <summary>
/// wrk load: Lua scripts that rotate among pre-built requests, and the parser for wrk's report.
/// Every script disables wrk's probe connection (<c>wrk.connect = function(addr) return true end</c>):
/// OpenSSL 3.0's responder spins at 100% CPU on a connection that sends no request.
/// </summary>
internal static partial class Wrk
{
    private const string NoProbe = "-- No probe connection before the run: openssl ocsp spins forever on a connection without a request.\nwrk.connect = function(addr) return true end\n";

    /// <summary>GET of each path in turn.</summary>
    public static string GetScript(IReadOnlyList<string> paths)
    {
        var lua = new StringBuilder(NoProbe);
        lua.Append("local paths = {\n");
        foreach (var path in paths) lua.Append("  \"").Append(path).Append("\",\n");
        lua.Append("}\nlocal requests = {}\nlocal i = 0\n");
        lua.Append("init = function(args)\n  for k, p in ipairs(paths) do requests[k] = wrk.format(\"GET\", p) end\nend\n");
        lua.Append("request = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n");
        return lua.ToString();
    }

    /// <summary>POST of each body in turn to <paramref name="path"/>, as application/ocsp-request.</summary>
    public static string PostScript(string path, IReadOnlyList<byte[]> bodies)
    {
        var lua = new StringBuilder(NoProbe);
        lua.Append("local bodies = {\n");
        foreach (var body in bodies)
        {
            lua.Append("  \"");
            foreach (var b in body) lua.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            lua.Append("\",\n");
        }
        lua.Append("}\nlocal requests = {}\nlocal i = 0\n");
        lua.Append("init = function(args)\n  for k, b in ipairs(bodies) do\n");
        lua.Append("    requests[k] = wrk.format(\"POST\", \"").Append(path).Append("\", { [\"Content-Type\"] = \"application/ocsp-request\" }, b)\n");
        lua.Append("  end\nend\n");
        lua.Append("request = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n");
        return lua.ToString();
    }

    /// <summary>The wrk arguments for a run: all cores as threads, --latency for the percentiles.</summary>
    public static string[] Arguments(string url, string script, int connections, int seconds) =>
        [$"-t{Math.Min(Environment.ProcessorCount, connections)}", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url];

    public static WrkResult Parse(string output, string command)
    {
        var rps = RequestsPerSecond().Match(output) is { Success: true } r ? double.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var p99 = P99().Match(output) is { Success: true } p ? Milliseconds(p.Groups[1].Value, p.Groups[2].Value) : double.NaN;
        var non2xx = Non2xx().Match(output) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        long errors = 0;
        if (SocketErrors().Match(output) is { Success: true } s)
            for (var g = 1; g <= 4; g++) errors += long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, p99, non2xx, errors, command, output);
    }

    private static double Milliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => number / 1000, "ms" => number, "s" => number * 1000, "m" => number * 60_000, _ => number };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrors();
}
