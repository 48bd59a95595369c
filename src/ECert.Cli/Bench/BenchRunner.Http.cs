using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using ECert.Core;

namespace ECert.Cli.Bench;

/// <summary>c. OCSP, CRL download and repository under wrk; d. CRL generation; e. store lookups at two sizes.</summary>
internal sealed partial class BenchRunner
{
    private string WrkFolder => Path.Combine(Scratch, "wrk");

    private sealed class Served
    {
        public byte[] OcspResponse = [];
        public byte[] CaCertificate = [];
        public WrkResult? EcertGet, EcertPost, EcertRepository;
        public List<byte[]> PeerRequests = [];
    }

    private string WriteScript(string name, string lua)
    {
        Directory.CreateDirectory(Path.Combine(_folder, WrkFolder));
        var path = Path.Combine(WrkFolder, name);
        File.WriteAllText(Path.Combine(_folder, path), lua);
        return path;
    }

    private WrkResult Load(string what, string url, string script, int? seconds = null)
    {
        var arguments = Wrk.Arguments(url, script, options.Connections, seconds ?? options.Duration);
        var command = ChildProcess.Display("wrk", arguments);
        Progress($"{what}: {command}");
        var run = _children.Run("wrk", arguments, timeout: TimeSpan.FromSeconds((seconds ?? options.Duration) + 60));
        var result = Wrk.Parse(run.Stdout, command);
        Progress($"  {result.Summary}");
        return result;
    }

    private Process StartServe(string data, int port)
    {
        string[] arguments = [.. ChildProcess.Ecert.Prefix, "--data", data, "serve", "--urls", $"http://127.0.0.1:{port}", "--log-level", "Warning"];
        Progress($"./ecert --data {data} serve --urls http://127.0.0.1:{port} --log-level Warning");
        var process = _children.Start(ChildProcess.Ecert.File, arguments, Path.Combine(Scratch, "serve.log"));
        WaitFor(process, $"http://127.0.0.1:{port}/ca/{IssuingCa}.crt");
        return process;
    }

    private void WaitFor(Process process, string url)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited) throw new InvalidOperationException($"the server stopped (exit {process.ExitCode}) before answering {url}; see the logs in {Path.Combine(_folder, Scratch)}");
            try
            {
                using var response = _http.GetAsync(url).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException($"{url} did not answer within 90 s");
    }

    private byte[] Get(string url) => _http.GetByteArrayAsync(url).GetAwaiter().GetResult();

    private byte[] PostOcsp(string url, byte[] request)
    {
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/ocsp-request");
        using var response = _http.PostAsync(url, content).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
    }

    private Served OcspLoad(IssuedSet issued, int port, OpenSslPeer peer)
    {
        var served = new Served();
        var baseUrl = $"http://127.0.0.1:{port}";
        var serve = StartServe(issued.Folder, port);
        List<byte[]> requests;
        try
        {
            served.CaCertificate = Get($"{baseUrl}/ca/{IssuingCa}.crt");
            using var ca = X509CertificateLoader.LoadCertificate(served.CaCertificate);
            requests = issued.Targets.Select(t => OcspRequests.For(ca, t.Serial)).ToList();
            served.OcspResponse = PostOcsp($"{baseUrl}/ocsp", requests[0]);
            if (!IsSuccessfulOcspResponse(served.OcspResponse))
                throw new InvalidOperationException("./ecert serve did not answer the OCSP request with a successful response");
            var get = WriteScript("ocsp-get.lua", Wrk.GetScript([.. requests.Select(r => OcspRequests.GetPath("/ocsp/", r))]));
            var post = WriteScript("ocsp-post.lua", Wrk.PostScript("/ocsp", requests));
            var repository = WriteScript("ca-get.lua", Wrk.GetScript([$"/ca/{IssuingCa}.crt"]));
            // A freshly started server runs its first seconds on unoptimised (tier-0) code; a responder
            // is measured as it runs for months, so each request path is warmed for 5 s first.
            Load("warm-up (not recorded)", baseUrl, get, seconds: 5);
            Load("warm-up (not recorded)", baseUrl, post, seconds: 5);
            Load("warm-up (not recorded)", baseUrl, repository, seconds: 2);
            served.EcertGet = Load($"OCSP GET, ./ecert serve, {issued.Serials.Count:N0} certificates in the store", baseUrl, get);
            served.EcertPost = Load("OCSP POST, ./ecert serve", baseUrl, post);
            served.EcertRepository = Load("repository (CA certificate), ./ecert serve", baseUrl, repository);
        }
        finally
        {
            ChildProcess.Stop(serve);
        }

        // openssl ocsp: its own CA, the same serials in its index; a fresh responder for each run, in a private network namespace.
        using var peerCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_folder, peer.CaCertificate));
        var peerRequests = issued.Targets.Select(t => OcspRequests.For(peerCa, t.Serial)).ToList();
        var peerGet = WriteScript("openssl-get.lua", Wrk.GetScript([.. peerRequests.Select(r => OcspRequests.GetPath("/", r))]));
        var peerPost = WriteScript("openssl-post.lua", Wrk.PostScript("/", peerRequests));
        var opensslPort = ChildProcess.FreePort();
        var opensslGet = OpenSslOcsp(peer, "ocsp-get.sh", opensslPort, peerGet);
        var opensslPost = OpenSslOcsp(peer, "ocsp-post.sh", opensslPort, peerPost);

        var store = string.Create(CultureInfo.InvariantCulture, $"{issued.Serials.Count:N0} certificates in the store");
        AddLoadRow($"OCSP GET ≥ 10 × `openssl ocsp -multi 2` (GET), {store}", served.EcertGet!, opensslGet, 10, "openssl ocsp");
        AddLoadRow($"OCSP POST ≥ 10 × `openssl ocsp -multi 2` (POST), {store}", served.EcertPost!, opensslPost, 10, "openssl ocsp");
        var p99 = Math.Max(served.EcertGet!.P99Ms, served.EcertPost!.P99Ms);
        _results.Add(new ResultRow($"OCSP p99 < 5 ms at {options.Connections} connections, {store}",
            string.Create(CultureInfo.InvariantCulture, $"GET p99 {served.EcertGet.P99Ms:0.00} ms, POST p99 {served.EcertPost.P99Ms:0.00} ms"),
            "5 ms", "–", Results.Verdict(served.EcertGet.Clean && served.EcertPost.Clean ? p99 < 5 : false), [served.EcertGet.Command, served.EcertPost.Command]));
        served.PeerRequests = peerRequests;
        return served;
    }

    /// <summary>
    /// CFSSL: pre-signed responses (`cfssl ocspsign`, the peer's RSA-2048 responder key) for certificates of the
    /// OpenSSL peer CA with the same serials, served by `cfssl ocspserve`: POST only (it answers every GET with 400).
    /// </summary>
    private void CfsslLoad(IssuedSet issued, OpenSslPeer peer, Served served)
    {
        var cfsslCommands = new List<string>();
        var leaves = issued.Targets.Select(t => (t.Serial, peer.IssueLeaf(t.Serial))).ToList();
        Progress($"CFSSL: cfssl ocspsign for {leaves.Count} certificates");
        var responses = CfsslPeer.SignResponses(_children, Path.Combine(Scratch, "cfssl"), peer.CaCertificate, peer.ResponderCertificate, peer.ResponderKey, leaves, cfsslCommands);
        var cfsslPort = ChildProcess.FreePort();
        var cfsslArguments = CfsslPeer.ServeArguments(cfsslPort, responses);
        cfsslCommands.Add(ChildProcess.Display("cfssl", cfsslArguments));
        var cfsslPost = WriteScript("cfssl-post.lua", Wrk.PostScript("/", served.PeerRequests));
        var cfssl = _children.Start("cfssl", cfsslArguments, Path.Combine(Scratch, "cfssl", "ocspserve.log"));
        WrkResult cfsslResult;
        try
        {
            Thread.Sleep(1000);
            if (cfssl.HasExited) throw new InvalidOperationException("cfssl ocspserve stopped; see scratch/cfssl/ocspserve.log");
            Load("warm-up (not recorded)", $"http://127.0.0.1:{cfsslPort}", cfsslPost, seconds: 1);
            cfsslResult = Load("OCSP POST, cfssl ocspserve (pre-signed)", $"http://127.0.0.1:{cfsslPort}", cfsslPost);
        }
        finally
        {
            ChildProcess.Stop(cfssl);
        }
        AddLoadRow("OCSP POST ≥ 3 × CFSSL `ocspserve` (pre-signed responses, POST)", served.EcertPost!, cfsslResult, 3, "cfssl", cfsslCommands);
    }

    /// <summary>OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED (0 = successful), responseBytes ... }</summary>
    private static bool IsSuccessfulOcspResponse(byte[] response)
    {
        try
        {
            var sequence = new System.Formats.Asn1.AsnReader(response, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            return sequence.ReadEnumeratedValue<Core.Ocsp.OcspResponseStatus>() == Core.Ocsp.OcspResponseStatus.Successful && sequence.HasData;
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return false;
        }
    }

    private WrkResult OpenSslOcsp(OpenSslPeer peer, string name, int port, string script)
    {
        var wrkArguments = Wrk.Arguments($"http://127.0.0.1:{port}", script, options.Connections, options.Duration);
        var path = peer.OcspScript(name, port, wrkArguments);
        string[] arguments = ["-n", "bash", path];
        var command = ChildProcess.Display("unshare", arguments);
        Progress($"OCSP, openssl ocsp -multi 2: {command}");
        var run = _children.Run("unshare", arguments, timeout: TimeSpan.FromSeconds(options.Duration + 60));
        var result = Wrk.Parse(run.Stdout, command + $"  (script: openssl ocsp -index … -multi 2 -nmin 60, then wrk {string.Join(' ', wrkArguments)})");
        Progress($"  {result.Summary}");
        if (result.RequestsPerSecond <= 0) Progress($"  openssl run output: {FirstLine(run.Stderr)} {FirstLine(run.Stdout)}");
        return result;
    }

    private void AddLoadRow(string target, WrkResult ours, WrkResult theirs, double atLeast, string peerName, IReadOnlyList<string>? peerCommands = null)
    {
        var ratio = theirs.RequestsPerSecond > 0 ? ours.RequestsPerSecond / theirs.RequestsPerSecond : double.NaN;
        bool? pass = double.IsNaN(ratio) ? null : ours.Clean && ratio >= atLeast;
        _results.Add(new ResultRow(target, ours.Summary, $"{peerName}: {theirs.Summary}", Results.Ratio(ours.RequestsPerSecond, theirs.RequestsPerSecond),
            atLeast > 0 ? Results.Verdict(pass) : "info", [ours.Command, .. peerCommands ?? [], theirs.Command]));
    }

    // ---- d. CRL --------------------------------------------------------------------------------------

    private void Crl(IssuedSet issued, int port, OpenSslPeer peer, Served? served)
    {
        var serialsFile = Path.Combine(Scratch, "serials.txt");
        File.WriteAllLines(Path.Combine(_folder, serialsFile), issued.Serials);
        string[] revoke = ["--data", issued.Folder, "bulk", "revoke", "--in", serialsFile, "--reason", "keyCompromise"];
        var revokeCommand = "./ecert " + string.Join(' ', revoke);
        Progress(revokeCommand);
        var revoked = _children.RunEcert(revoke, timed: true, extra: BulkJobEnvironment);
        if (revoked.ExitCode != 0) throw new InvalidOperationException($"bulk revoke failed (exit {revoked.ExitCode}): {FirstLine(revoked.Stderr)}");
        _results.Add(new ResultRow("bulk revocation (reference)",
            string.Create(CultureInfo.InvariantCulture, $"{issued.Serials.Count:N0} in {revoked.Wall.TotalSeconds:0.0} s = {issued.Serials.Count / revoked.Wall.TotalSeconds:N0}/s, peak RSS {revoked.PeakRssMb:N0} MB"),
            "", "–", "info", [revokeCommand]));

        // Like for like: a process that writes the one full CRL, as openssl ca -gencrl does. Then, for
        // reference, the whole `ecert crl` (every CRL of every CA: the partitions list the same
        // entries again).
        string[] crl = ["--data", issued.Folder, "crl", "--ca", IssuingCa, "--full-only"];
        var crlCommand = "/usr/bin/time -f '%e %M' ./ecert " + string.Join(' ', crl);
        Progress(crlCommand);
        var ours = _children.RunEcert(crl, timed: true);
        if (ours.ExitCode != 0) throw new InvalidOperationException($"./ecert crl failed: {ours.Stderr.Trim()}");
        var full = ours.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(IssuingCa + "\t", StringComparison.Ordinal)) ?? "";
        string Field(string name) => Regex.Match(full, $@"{name}=([0-9.]+)") is { Success: true } m ? m.Groups[1].Value : "?";
        string[] allCrls = ["--data", issued.Folder, "crl"];
        var allCommand = "/usr/bin/time -f '%e %M' ./ecert " + string.Join(' ', allCrls);
        Progress(allCommand);
        var all = _children.RunEcert(allCrls, timed: true);
        if (all.ExitCode != 0) throw new InvalidOperationException($"./ecert crl failed: {all.Stderr.Trim()}");
        var crlLines = all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

        peer.WriteIndex("index-revoked.txt", issued.Serials, revoked: true);
        var gencrl = peer.GenCrlArguments();
        var gencrlCommand = "/usr/bin/time -f '%e %M' " + ChildProcess.Display("openssl", gencrl);
        Progress(gencrlCommand);
        var theirs = _children.Run("openssl", gencrl, timed: true);
        if (theirs.ExitCode != 0) throw new InvalidOperationException($"openssl ca -gencrl failed: {theirs.Stderr.Trim()}");

        var timeRatio = ours.Wall.TotalSeconds / theirs.Wall.TotalSeconds;
        var memoryRatio = (double)(ours.PeakRssKb ?? 0) / (theirs.PeakRssKb ?? 1);
        _results.Add(new ResultRow($"full CRL of {issued.Serials.Count:N0} revoked entries in ≤ 1/4 of `openssl ca -gencrl`'s time",
            string.Create(CultureInfo.InvariantCulture, $"`ecert crl --full-only` process {ours.Wall.TotalSeconds:0.00} s (the full {IssuingCa} CRL: {Field("entries")} entries, {Field("bytes")} bytes, ms={Field("ms")} of it encoding and signing)"),
            string.Create(CultureInfo.InvariantCulture, $"openssl ca -gencrl {theirs.Wall.TotalSeconds:0.00} s (PEM output)"),
            (timeRatio).ToString("0.00", CultureInfo.InvariantCulture) + "×", Results.Verdict(timeRatio <= 0.25), [crlCommand, gencrlCommand]));
        _results.Add(new ResultRow($"full CRL of {issued.Serials.Count:N0} revoked entries in ≤ 1/4 of `openssl ca -gencrl`'s peak memory",
            string.Create(CultureInfo.InvariantCulture, $"peak RSS {ours.PeakRssMb:N0} MB"), string.Create(CultureInfo.InvariantCulture, $"peak RSS {theirs.PeakRssMb:N0} MB"),
            memoryRatio.ToString("0.00", CultureInfo.InvariantCulture) + "×", Results.Verdict(memoryRatio <= 0.25), [crlCommand, gencrlCommand]));
        _results.Add(new ResultRow("every CRL at once: the full CRL and every partition's of every CA (reference)",
            string.Create(CultureInfo.InvariantCulture, $"`ecert crl` process {all.Wall.TotalSeconds:0.00} s for {crlLines} CRLs, peak RSS {all.PeakRssMb:N0} MB"),
            string.Create(CultureInfo.InvariantCulture, $"openssl ca -gencrl {theirs.Wall.TotalSeconds:0.00} s (one CRL)"),
            (all.Wall.TotalSeconds / theirs.Wall.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture) + "×", "info", [allCommand, gencrlCommand]));

        // The CRL download and the static comparisons: ./ecert serve, then nginx with the same bytes.
        var baseUrl = $"http://127.0.0.1:{port}";
        var serve = StartServe(issued.Folder, port);
        WrkResult crlDownload;
        byte[] crlBytes;
        var crlScript = WriteScript("crl-get.lua", Wrk.GetScript([$"/crl/{IssuingCa}.crl"]));
        try
        {
            crlBytes = Get($"{baseUrl}/crl/{IssuingCa}.crl");
            Load("warm-up (not recorded)", baseUrl, crlScript, seconds: 1);
            crlDownload = Load($"full CRL download ({crlBytes.Length:N0} bytes), ./ecert serve", baseUrl, crlScript);
        }
        finally
        {
            ChildProcess.Stop(serve);
        }

        var nginxFolder = Path.Combine(_folder, Scratch, "nginx");
        var nginxPort = ChildProcess.FreePort();
        served ??= new Served();
        var nginxArguments = NginxPeer.Prepare(nginxFolder, nginxPort, new Dictionary<string, byte[]>
        {
            ["ocsp.der"] = served.OcspResponse, ["ca.crt"] = served.CaCertificate, ["full.crl"] = crlBytes,
        });
        var nginxCommand = ChildProcess.Display("nginx", nginxArguments);
        Progress(nginxCommand);
        var nginx = _children.Start("nginx", nginxArguments, Path.Combine(Scratch, "nginx", "stdout.log"));
        try
        {
            var nginxUrl = $"http://127.0.0.1:{nginxPort}";
            WaitFor(nginx, nginxUrl + "/ca.crt");
            var staticOcsp = WriteScript("nginx-ocsp.lua", Wrk.GetScript(["/ocsp.der"]));
            Load("warm-up (not recorded)", nginxUrl, staticOcsp, seconds: 1);
            var nginxOcsp = Load($"nginx, static file of the OCSP response's {served.OcspResponse.Length:N0} bytes", nginxUrl, staticOcsp);
            var nginxCa = Load("nginx, the CA certificate's bytes", nginxUrl, WriteScript("nginx-ca.lua", Wrk.GetScript(["/ca.crt"])));
            var nginxCrl = Load("nginx, the full CRL's bytes", nginxUrl, WriteScript("nginx-crl.lua", Wrk.GetScript(["/full.crl"])));
            if (served.EcertGet is not null)
                AddLoadRow($"OCSP GET ≥ 0.8 × nginx serving a static file of the same size ({served.OcspResponse.Length:N0} bytes)", served.EcertGet, nginxOcsp, 0.8, "nginx", [nginxCommand]);
            if (served.EcertRepository is not null)
                AddLoadRow($"repository: GET of the CA certificate ({served.CaCertificate.Length:N0} bytes) vs nginx, same bytes", served.EcertRepository, nginxCa, 0, "nginx", [nginxCommand]);
            AddLoadRow($"CRL download: the full CRL ({crlBytes.Length:N0} bytes, {issued.Serials.Count:N0} entries) vs nginx, same bytes", crlDownload, nginxCrl, 0, "nginx", [nginxCommand]);
        }
        finally
        {
            ChildProcess.Stop(nginx);
        }
    }

    // ---- e. status lookups at two store sizes ---------------------------------------------------------

    private void StoreLookupScaling()
    {
        const long small = 100_000;
        if (options.StoreRows <= small)
        {
            _results.Note("Store lookup scaling skipped: --store-rows must be above 100,000.");
            return;
        }
        var measurements = new List<StoreLookups.Measurement>();
        foreach (var rows in new[] { small, options.StoreRows })
        {
            var path = Path.Combine(_folder, Scratch, $"lookups-{rows}.db");
            Progress($"store lookups: a scratch SQLite store of {rows:N0} synthetic certificate rows, then {options.Lookups:N0} random lookups");
            var measurement = StoreLookups.Measure(path, rows, options.Lookups, message => Progress("  " + message));
            Progress(string.Create(CultureInfo.InvariantCulture, $"  {measurement.LookupsPerSecond:N0} lookups/s (filled in {measurement.FillTime.TotalSeconds:0.0} s, {measurement.FileBytes / 1048576.0:N0} MB)"));
            measurements.Add(measurement);
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*")) File.Delete(file);
        }
        var (a, b) = (measurements[0], measurements[1]);
        var slowdown = a.LookupsPerSecond / b.LookupsPerSecond;
        _results.Add(new ResultRow($"status lookups with {b.Rows:N0} certificates no more than 2 × slower than with {a.Rows:N0}",
            string.Create(CultureInfo.InvariantCulture, $"{b.LookupsPerSecond:N0} lookups/s at {b.Rows:N0} rows ({b.FileBytes / 1048576.0:N0} MB)"),
            string.Create(CultureInfo.InvariantCulture, $"{a.LookupsPerSecond:N0} lookups/s at {a.Rows:N0} rows"),
            slowdown.ToString("0.00", CultureInfo.InvariantCulture) + "× slower",
            b.Rows >= 10_000_000 ? Results.Verdict(slowdown <= 2) : Results.Verdict(slowdown <= 2) + $" (at {b.Rows:N0}, not 10,000,000)",
            [$"in-process: SqliteCertificateStore.FindCertificate, {options.Lookups:N0} random present serials, 1 thread, over a recursive-CTE-filled copy of the schema"]));
    }
}
