using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using ECert.Core;
using ECert.Core.Issuance;
using ECert.Server;

namespace ECert.Cli.Bench;

internal sealed record BenchOptions(int Scale, string OutFolder, int Duration, int Connections, long StoreRows, int Lookups, bool KeepScratch, string CommandLine);

/// <summary>
/// ./ecert bench: every scenario of docs/benchmarks.md in one run, on scratch instances it creates
/// under the output folder (never the operator's data folder), each side by side with its peer.
/// Progress goes to stderr; the results table to stdout and DIR/results.md.
/// </summary>
internal sealed partial class BenchRunner(BenchOptions options)
{
    private const string Passphrase = "ecert-bench-scratch-keystore";
    private const string Scratch = "scratch";
    private const string IssuingCa = "personal-g1";
    private const int Targets = 16;

    /// <summary>command -> the Debian package that provides it.</summary>
    public static readonly IReadOnlyList<(string Command, string Package)> Tools =
    [
        ("openssl", "openssl"), ("wrk", "wrk"), ("nginx", "nginx-light"), ("cfssl", "golang-cfssl"),
        (ChildProcess.TimeTool, "time"), ("unshare", "util-linux"), ("ip", "iproute2"), ("ss", "iproute2"), ("pgrep", "procps"),
    ];

    private readonly Results _results = new();
    private readonly string _folder = Path.GetFullPath(options.OutFolder);
    private ChildProcess _children = null!;
    private readonly Dictionary<string, double> _rawSigning = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// The environment ./ecert gives its bulk verbs (see the ecert script): a 64 MB budget for the
    /// collector's first generation, unless the operator set one. Bulk children run with it, as
    /// operators run them; serve and the rest with the bench's own environment.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string?> BulkJobEnvironment = new Dictionary<string, string?>
    {
        [Gen0Budget] = Environment.GetEnvironmentVariable(Gen0Budget) is { Length: > 0 } own ? own : "0x4000000",
    };

    private const string Gen0Budget = "DOTNET_GCgen0size";

    private static void Progress(string message) => Console.Error.WriteLine($"bench: {message}");

    public static IReadOnlyList<string> MissingTools() =>
        Tools.Where(t => !ChildProcess.OnPath(t.Command)).Select(t => t.Package).Distinct().ToList();

    public int Run()
    {
        var missing = MissingTools();
        if (missing.Count > 0)
            throw ECertException.Invalid($"the bench needs tools that are missing; install them with: apt-get install -y {string.Join(' ', missing)}");
        Directory.CreateDirectory(_folder);
        if (Directory.Exists(Path.Combine(_folder, Scratch)))
            throw ECertException.Conflict($"{Path.Combine(_folder, Scratch)} exists (an earlier run?); choose another --out folder");
        Directory.CreateDirectory(Path.Combine(_folder, Scratch));
        _children = new ChildProcess(_folder, new Dictionary<string, string?>
        {
            [CommonOptions.PassphraseVariable] = Passphrase,
            [CommonOptions.DataVariable] = null,
            [CliAccess.StaffKeyVariable] = null,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        });
        var total = Stopwatch.StartNew();
        Progress($"scale {options.Scale:N0}, results in {_folder}, scratch instances in {Path.Combine(_folder, Scratch)}");
        try
        {
            Step("openssl speed", OpenSslSpeed);
            var port = ChildProcess.FreePort();
            var input = Path.Combine(Scratch, "bureau.jsonl");
            Progress($"writing the bureau input: {options.Scale:N0} smart ID card records ({BureauInput.KeyPool:N0} pre-generated P-256 subscriber keys, reused)");
            BureauInput.Write(Path.Combine(_folder, input), options.Scale);
            IssuedSet? rsa = null;
            foreach (var algorithm in new[] { "rsa2048", "p256" })
                Step($"issuance ({algorithm})", () =>
                {
                    var issued = Issuance(algorithm, port, input);
                    if (algorithm == "rsa2048") rsa = issued;
                });
            if (rsa is { Serials.Count: > 0 })
            {
                var peer = new OpenSslPeer(_children, Path.Combine(Scratch, "openssl"));
                Served? served = null;
                Step("OCSP load", () =>
                {
                    Progress("the OpenSSL peer: a fresh RSA-2048 CA and responder, index.txt with the same serials");
                    peer.CreateCa();
                    _results.Note("The OpenSSL peer (openssl ocsp, openssl ca -gencrl, and the certificates CFSSL signs responses for) is a fresh OpenSSL CA with RSA-2048 keys whose index.txt holds the same serials as the certificates issued: "
                        + string.Join("; ", peer.Commands.Select(c => $"`{c}`")) + ".");
                    peer.WriteIndex("index.txt", rsa.Serials, revoked: false);
                    Presign(rsa);
                    served = OcspLoad(rsa, port, peer);
                });
                if (served is not null) Step("CFSSL OCSP load", () => CfsslLoad(rsa, peer, served));
                Step("CRL", () => Crl(rsa, port, peer, served));
            }
            else _results.Note("No certificates were issued into the RSA-2048 instance, so the OCSP, CRL and repository scenarios did not run.");
            Step("store lookups", StoreLookupScaling);
        }
        finally
        {
            if (!options.KeepScratch)
            {
                Progress("removing the scratch instances (keep them with --keep-scratch)");
                try { Directory.Delete(Path.Combine(_folder, Scratch), recursive: true); }
                catch (IOException e) { Progress($"could not remove the scratch folder: {e.Message}"); }
            }
        }
        _results.Note(string.Create(CultureInfo.InvariantCulture, $"Whole run: {total.Elapsed.TotalMinutes:0.0} min. wrk shares the {Environment.ProcessorCount} cores with the server under test in every HTTP figure."));
        var markdown = _results.Markdown(Heading());
        File.WriteAllText(Path.Combine(_folder, "results.md"), markdown);
        Console.Out.Write(markdown);
        Progress($"results written to {Path.Combine(_folder, "results.md")}");
        return 0;
    }

    /// <summary>A scenario that fails becomes a FAIL row naming the error; the others still run.</summary>
    private void Step(string name, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or HttpRequestException or ECertException
                                      or Microsoft.Data.Sqlite.SqliteException or System.Security.Cryptography.CryptographicException or JsonException)
        {
            Progress($"{name} failed: {e.Message}");
            _results.Add(new ResultRow(name, $"failed: {e.Message.ReplaceLineEndings(" ")}", "", "–", "FAIL", [$"see the progress lines and the logs under {Path.Combine(_folder, Scratch)} (--keep-scratch)"]));
        }
    }

    private string Heading()
    {
        var openssl = _children.Run("openssl", ["version"]).Stdout.Trim();
        var serveBudget = Environment.GetEnvironmentVariable(Gen0Budget) is { Length: > 0 } own ? $"{Gen0Budget}={own}" : "the runtime's default";
        return string.Create(CultureInfo.InvariantCulture,
            $"## ./ecert bench at scale {options.Scale:N0}\n\n`{options.CommandLine}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {openssl}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
            $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} collector; first-generation budget " +
            $"{Gen0Budget}={BulkJobEnvironment[Gen0Budget]} for the bulk jobs (as ./ecert runs them), {serveBudget} for the rest.");
    }

    // ---- a. signing ------------------------------------------------------------------------------------

    private readonly Dictionary<string, double> _opensslSpeed = [];
    private string _opensslSpeedCommand = "";

    private void OpenSslSpeed()
    {
        string[] arguments = ["speed", "-seconds", "2", "-multi", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "rsa2048", "ecdsap256"];
        _opensslSpeedCommand = ChildProcess.Display("openssl", arguments);
        Progress($"reference: {_opensslSpeedCommand}");
        var output = _children.Run("openssl", arguments).Stdout;
        if (RsaSpeed().Match(output) is { Success: true } r) _opensslSpeed["rsa2048"] = double.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture);
        if (EcSpeed().Match(output) is { Success: true } e) _opensslSpeed["p256"] = double.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"rsa\s+2048 bits\s+\S+\s+\S+\s+([0-9.]+)")]
    private static partial Regex RsaSpeed();

    [GeneratedRegex(@"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([0-9.]+)")]
    private static partial Regex EcSpeed();

    /// <summary>SigningKey.Sign of the instance's own issuing CA key on every core for a few seconds.</summary>
    private static double SigningRate(EcertInstance instance, TimeSpan duration)
    {
        var ca = instance.Cas.FindCa(IssuingCa) ?? throw ECertException.NotFound($"no CA {IssuingCa} in the scratch instance");
        var key = instance.Keys.GetSigningKey(ca.KeyId);
        var tbs = RandomNumberGenerator.GetBytes(600);
        for (var i = 0; i < 50; i++) key.Sign(tbs);
        return PerSecondOnEveryCore(duration, (_, _) => key.Sign(tbs));
    }

    /// <summary>
    /// Runs <paramref name="work"/> (given the core's number and how many times that core has run it)
    /// on every core for <paramref name="duration"/>; the runs per second of all cores together.
    /// </summary>
    private static double PerSecondOnEveryCore(TimeSpan duration, Action<int, long> work)
    {
        long count = 0;
        var cores = Environment.ProcessorCount;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, core =>
        {
            long local = 0;
            for (; clock.Elapsed < duration; local++) work(core, local);
            Interlocked.Add(ref count, local);
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The per-record work of bulk issuance that the issue requires, without the store or the output
    /// files: how close to the raw signing rate any bulk design could come on these cores.
    /// </summary>
    private static (double Rate, int Records) RecordCeiling(EcertInstance instance, string input)
    {
        var profile = Core.Profiles.ProfileFactory.Create("personal-smartid", instance.Settings.Profiles);
        var issuer = instance.Cas.FindCa(profile.IssuingCa) ?? throw ECertException.NotFound($"no CA {profile.IssuingCa} in the scratch instance");
        var key = instance.Keys.GetSigningKey(issuer.KeyId);
        var certificateIssuer = instance.Issuer();
        var protector = instance.IdentityProtector();
        var lines = File.ReadLines(input).Take(20_000).Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        var notBefore = Core.Asn1.DerWriting.TruncateToSeconds(DateTimeOffset.UtcNow);
        var notAfter = notBefore.AddDays(profile.ValidityDays).AddSeconds(-1);
        void Issue(byte[] line)
        {
            var record = Core.Bulk.BureauRecord.Parse(line);
            var details = new SubjectDetails { Name = record.Name, IdentityDigest = protector.Digest(record.IdNumber), Email = record.Email };
            var subject = SubjectBuilder.Build(profile, details, "0000000001");
            var tbs = certificateIssuer.Prepare(profile, issuer, subject, record.PublicKey, SerialNumbers.NewSerial(), 0, notBefore, notAfter);
            if (CertificateLinter.Lint(tbs, profile, issuer.Certificate).Count > 0) throw new InvalidOperationException("a bench record failed the lint");
            tbs.Sign(key);
        }
        // Each core takes every n-th record, round and round. Two seconds to let the JIT settle (as a
        // long bulk run does), then three measured, like the raw signing rate.
        void Next(int core, long run) => Issue(lines[(int)((core + run * Environment.ProcessorCount) % lines.Length)]);
        PerSecondOnEveryCore(TimeSpan.FromSeconds(2), Next);
        return (PerSecondOnEveryCore(TimeSpan.FromSeconds(3), Next), lines.Length);
    }

    // ---- b. bulk issuance -------------------------------------------------------------------------------

    private sealed record IssuedSet(string Folder, List<string> Serials, List<(string Serial, byte[] Der)> Targets);

    private IssuedSet Issuance(string algorithm, int port, string input)
    {
        var data = Path.Combine(Scratch, algorithm);
        string[] init = ["--data", data, "init", "--key-algorithm", algorithm, "--base-url", $"http://127.0.0.1:{port}"];
        Progress($"./ecert {string.Join(' ', init)}");
        var initialised = _children.RunEcert(init);
        if (initialised.ExitCode != 0) throw new InvalidOperationException($"init of the scratch instance failed: {initialised.Stderr.Trim()}");
        var label = algorithm == "rsa2048" ? "RSA-2048" : "P-256";

        Progress($"raw signing rate of the {label} issuing CA key on {Environment.ProcessorCount} cores");
        var instance = EcertInstance.Open(Path.Combine(_folder, data), () => Passphrase);
        var raw = SigningRate(instance, TimeSpan.FromSeconds(3));
        _rawSigning[algorithm] = raw;
        var speed = _opensslSpeed.GetValueOrDefault(algorithm);
        _results.Add(new ResultRow($"raw signing rate, {label} CA key, {Environment.ProcessorCount} threads (reference)",
            $"{Results.N(raw)} signatures/s", speed > 0 ? $"openssl speed: {Results.N(speed)}/s" : "openssl speed: not parsed",
            Results.Ratio(raw, speed), "info", ["in-process: Parallel SigningKey.Sign over a 600-byte TBS, 3 s", _opensslSpeedCommand]));
        Progress($"bulk issuance ceiling without storage or output, {label}: parse, check, prepare, lint and sign on {Environment.ProcessorCount} cores");
        var (ceiling, records) = RecordCeiling(instance, Path.Combine(_folder, input));
        instance.Database.CloseAll();
        _results.Add(new ResultRow($"bulk issuance ceiling, {label}: each record parsed, checked, prepared, linted and signed on every core, nothing stored or written (reference)",
            string.Create(CultureInfo.InvariantCulture, $"{Results.N(ceiling)} certificates/s (3 s over {records:N0} records, after 2 s of warm-up)"), $"raw signing {Results.N(raw)}/s",
            Results.Ratio(ceiling, raw), "info", ["in-process: Parallel BureauRecord.Parse, identity digest, SubjectBuilder.Build, CertificateIssuer.Prepare, CertificateLinter.Lint, TbsCertificate.Sign"]));

        var output = Path.Combine(Scratch, $"{algorithm}-issued.jsonl");
        string[] bulk = ["--data", data, "bulk", "issue", "--profile", "personal-smartid", "--in", input, "--out", output];
        var bulkCommand = "./ecert " + string.Join(' ', bulk);
        Progress(bulkCommand);
        var run = _children.RunEcert(bulk, timed: true, extra: BulkJobEnvironment);
        if (run.ExitCode != 0 || !File.Exists(Path.Combine(_folder, output)))
        {
            _results.Add(new ResultRow($"bulk issuance, {label} issuing key", $"failed (exit {run.ExitCode}): {FirstLine(run.Stderr)}", "", "–", "FAIL", [bulkCommand]));
            return new IssuedSet(data, [], []);
        }
        var set = ReadIssued(data, output);
        var rate = set.Serials.Count / run.Wall.TotalSeconds;
        var ratio = rate / raw;
        _results.Add(new ResultRow($"bulk issuance, {label} issuing key: ≥ 0.8 × raw signing rate, certificates stored",
            string.Create(CultureInfo.InvariantCulture, $"{set.Serials.Count:N0} certificates in {run.Wall.TotalSeconds:0.0} s = {rate:N0}/s, peak RSS {run.PeakRssMb:N0} MB"),
            $"raw signing {Results.N(raw)}/s", Results.Ratio(rate, raw), Results.Verdict(set.Serials.Count == options.Scale && ratio >= 0.8), [bulkCommand]));
        if (algorithm == "rsa2048") SmartIdTarget(set.Serials.Count, run);
        return set;
    }

    private void SmartIdTarget(int count, ChildResult run)
    {
        const int cards = 1_260_000;
        var projected = cards / (count / run.Wall.TotalSeconds);
        var measuredAtScale = count >= cards;
        _results.Add(new ResultRow("1,260,000 smart ID card certificates under RSA-2048 in < 5 min, peak memory < 1 GB",
            measuredAtScale
                ? string.Create(CultureInfo.InvariantCulture, $"{run.Wall.TotalMinutes:0.00} min, peak RSS {run.PeakRssMb:N0} MB")
                : string.Create(CultureInfo.InvariantCulture, $"projected {projected / 60:0.00} min from {count:N0} certificates; peak RSS {run.PeakRssMb:N0} MB at this scale"),
            "5 min, 1,024 MB", "–",
            measuredAtScale ? Results.Verdict(run.Wall.TotalMinutes < 5 && run.PeakRssMb < 1024) : "n/a (scale < 1,260,000)",
            [$"./ecert bench --scale {cards}"]));
    }

    /// <summary>
    /// Signs every certificate's OCSP response before the responder is loaded, as an operator does
    /// after a bulk issuance; otherwise the server would spend a core signing them in the background
    /// while wrk measures it.
    /// </summary>
    private void Presign(IssuedSet issued)
    {
        string[] presign = ["--data", issued.Folder, "ocsp", "presign"];
        var command = "./ecert " + string.Join(' ', presign);
        Progress(command);
        var run = _children.RunEcert(presign, timed: true);
        if (run.ExitCode != 0) throw new InvalidOperationException($"ocsp presign failed (exit {run.ExitCode}): {FirstLine(run.Stderr)}");
        _results.Add(new ResultRow("pre-signing every OCSP response before serving (reference)",
            string.Create(CultureInfo.InvariantCulture, $"{issued.Serials.Count:N0} responses in {run.Wall.TotalSeconds:0.0} s = {issued.Serials.Count / run.Wall.TotalSeconds:N0}/s, peak RSS {run.PeakRssMb:N0} MB"),
            "", "–", "info", [command]));
    }

    private IssuedSet ReadIssued(string data, string output)
    {
        var serials = new List<string>();
        var targets = new List<(string, byte[])>();
        foreach (var line in File.ReadLines(Path.Combine(_folder, output)))
        {
            if (line.Length == 0) continue;
            using var json = JsonDocument.Parse(line);
            var serial = json.RootElement.GetProperty("serial").GetString()!;
            serials.Add(serial);
            if (targets.Count < Targets) targets.Add((serial, Convert.FromBase64String(json.RootElement.GetProperty("certificate").GetString()!)));
        }
        return new IssuedSet(data, serials, targets);
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
}
