using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ECert.Cli.Bench;

/// <summary>
/// The OpenSSL peer: a small self-contained OpenSSL CA (RSA-2048 CA and OCSP responder keys, like the
/// RSA-2048 instance under test) whose index.txt lists the same serials as the certificates the
/// instance issued, so `openssl ocsp` answers over an index of the same size and `openssl ca -gencrl`
/// lists the same revoked set. Paths are relative to the bench folder.
/// </summary>
internal sealed class OpenSslPeer(ChildProcess children, string folder)
{
    public string Folder { get; } = folder;
    public string CaCertificate => Path.Combine(Folder, "ca.pem");
    private string CaKey => Path.Combine(Folder, "ca.key");
    public string ResponderCertificate => Path.Combine(Folder, "rsp.pem");
    public string ResponderKey => Path.Combine(Folder, "rsp.key");
    private string Absolute(string relative) => Path.Combine(children.WorkingDirectory, relative);

    public List<string> Commands { get; } = [];

    public void CreateCa()
    {
        Directory.CreateDirectory(Absolute(Folder));
        Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", CaKey, "-out", CaCertificate,
            "-subj", "/C=HK/O=ECert Bench Peer/CN=OpenSSL Peer CA", "-days", "3650",
            "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        var csr = Path.Combine(Folder, "rsp.csr");
        Run("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", ResponderKey, "-out", csr, "-subj", "/C=HK/O=ECert Bench Peer/CN=OpenSSL Peer OCSP"]);
        File.WriteAllText(Absolute(Path.Combine(Folder, "rsp.ext")), "extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature\n");
        Run("openssl", ["x509", "-req", "-in", csr, "-CA", CaCertificate, "-CAkey", CaKey, "-set_serial", "0x1001", "-days", "365",
            "-out", ResponderCertificate, "-extfile", Path.Combine(Folder, "rsp.ext")]);
    }

    /// <summary>
    /// A certificate of the peer CA with one of the issued serials, for CFSSL: the 2016 CFSSL (Go 1.19)
    /// cannot parse ECert's certificates (its encoding/asn1 rejects the 2.25.&lt;UUID&gt; policy OID arcs).
    /// </summary>
    public byte[] IssueLeaf(string serial)
    {
        var output = Path.Combine(Folder, $"leaf-{serial}.pem");
        Run("openssl", ["x509", "-req", "-in", Path.Combine(Folder, "rsp.csr"), "-CA", CaCertificate, "-CAkey", CaKey,
            "-set_serial", "0x" + serial, "-days", "365", "-out", output], record: Commands.Count < 4);
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Absolute(output)).RawData;
    }

    /// <summary>index.txt lines: status, expiry, revocation (date,reason), serial, file name, subject.</summary>
    public void WriteIndex(string name, IEnumerable<string> serials, bool revoked)
    {
        var expiry = DateTime.UtcNow.AddYears(3).ToString("yyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
        var revokedAt = DateTime.UtcNow.AddMinutes(-5).ToString("yyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
        using var writer = new StreamWriter(Absolute(Path.Combine(Folder, name)), false, new UTF8Encoding(false), 1 << 20);
        var i = 0;
        foreach (var serial in serials)
        {
            writer.Write(revoked ? "R\t" : "V\t");
            writer.Write(expiry);
            writer.Write('\t');
            if (revoked) writer.Write(revokedAt + ",keyCompromise");
            writer.Write('\t');
            writer.Write(serial);
            writer.Write("\tunknown\t/C=HK/CN=BENCH Subscriber ");
            writer.Write(i++.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }

    /// <summary>
    /// A script that starts `openssl ocsp` (-multi 2, RSA-2048 responder key), loads it with wrk and
    /// stops it, run inside a private network namespace: `openssl ocsp -port` listens on every interface.
    /// A fresh responder per run: OpenSSL 3.0's responder can spin on a stray connection.
    /// </summary>
    public string OcspScript(string name, int port, string[] wrkArguments)
    {
        var script = Path.Combine(Folder, name);
        var wrk = string.Join(' ', wrkArguments.Select(a => "'" + a + "'"));
        File.WriteAllText(Absolute(script), $"""
            #!/bin/bash
            # openssl ocsp under wrk load, inside `unshare -n` (only loopback exists). Run from the bench folder.
            set -u
            ip link set lo up
            openssl ocsp -index {Folder}/index.txt -port {port} -rsigner {ResponderCertificate} -rkey {ResponderKey} -CA {CaCertificate} -nmin 60 -multi 2 2>{Folder}/{name}.responder.log &
            responder=$!
            # Wait for the listening socket without connecting to it (a connection without a request makes it spin);
            # loading a large index.txt takes a while.
            for i in $(seq 1 1200); do ss -ltnH "sport = :{port}" | grep -q . && break; sleep 0.5; done
            sleep 1
            wrk {wrk}
            kill $(pgrep -P $responder) $responder 2>/dev/null
            wait $responder 2>/dev/null
            exit 0

            """);
        return script;
    }

    /// <summary>The `openssl ca` configuration for -gencrl over the revoked index.</summary>
    public string[] GenCrlArguments()
    {
        var config = Path.Combine(Folder, "ca.cnf");
        File.WriteAllText(Absolute(Path.Combine(Folder, "crlnumber")), "1000\n");
        File.WriteAllText(Absolute(config), $"""
            [ ca ]
            default_ca = peer
            [ peer ]
            database = {Folder}/index-revoked.txt
            crlnumber = {Folder}/crlnumber
            certificate = {CaCertificate}
            private_key = {CaKey}
            default_md = sha256
            default_crl_days = 1
            unique_subject = no
            crl_extensions = crl_ext
            [ crl_ext ]
            authorityKeyIdentifier = keyid:always

            """);
        return ["ca", "-gencrl", "-batch", "-config", config, "-out", Path.Combine(Folder, "crl.pem")];
    }

    private void Run(string file, string[] arguments, bool record = true)
    {
        if (record) Commands.Add(ChildProcess.Display(file, arguments));
        var result = children.Run(file, arguments);
        if (result.ExitCode != 0) throw new InvalidOperationException($"{ChildProcess.Display(file, arguments)} failed: {result.Stderr.Trim()}");
    }
}

/// <summary>CFSSL's pre-signed responder: `cfssl ocspsign` for each certificate, then `cfssl ocspserve` over the file (POST only).</summary>
internal static class CfsslPeer
{
    public static string SignResponses(ChildProcess children, string folder, string caPem, string responderPem, string responderKey,
        IReadOnlyList<(string Serial, byte[] Der)> certificates, List<string> commands)
    {
        Directory.CreateDirectory(Path.Combine(children.WorkingDirectory, folder));
        var lines = new StringBuilder();
        foreach (var (serial, der) in certificates)
        {
            var pem = Path.Combine(folder, $"cert-{serial}.pem");
            File.WriteAllText(Path.Combine(children.WorkingDirectory, pem), System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", der) + "\n");
            string[] arguments = ["ocspsign", "-ca", caPem, "-responder", responderPem, "-responder-key", responderKey, "-cert", pem, "-status", "good"];
            if (commands.Count == 0) commands.Add(ChildProcess.Display("cfssl", arguments) + "  (one per certificate)");
            var result = children.Run("cfssl", arguments);
            if (result.ExitCode != 0) throw new InvalidOperationException("cfssl ocspsign failed: " + result.Stderr.Trim());
            using var json = JsonDocument.Parse(result.Stdout);
            lines.Append(json.RootElement.GetProperty("ocspResponse").GetString()).Append('\n');
        }
        var responses = Path.Combine(folder, "responses");
        File.WriteAllText(Path.Combine(children.WorkingDirectory, responses), lines.ToString());
        return responses;
    }

    public static string[] ServeArguments(int port, string responses) =>
        ["ocspserve", "-address", "127.0.0.1", "-port", port.ToString(CultureInfo.InvariantCulture), "-responses", responses];
}

/// <summary>nginx serving static files with the exact bytes of our responses: the ceiling of an HTTP server on this machine.</summary>
internal static class NginxPeer
{
    public static string[] Prepare(string absoluteFolder, int port, IReadOnlyDictionary<string, byte[]> files)
    {
        var www = Path.Combine(absoluteFolder, "www");
        Directory.CreateDirectory(www);
        Directory.CreateDirectory(Path.Combine(absoluteFolder, "tmp"));
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(www, name), bytes);
        var user = Environment.UserName == "root" ? "user root root;\n" : "";
        File.WriteAllText(Path.Combine(absoluteFolder, "nginx.conf"), $$"""
            # nginx serving the same bytes as ./ecert serve, for comparison. 2 workers (one per core), no access log.
            {{user}}daemon off;
            worker_processes {{Environment.ProcessorCount}};
            pid {{absoluteFolder}}/nginx.pid;
            error_log {{absoluteFolder}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                keepalive_requests 1000000;
                client_body_temp_path {{absoluteFolder}}/tmp/body;
                proxy_temp_path {{absoluteFolder}}/tmp/proxy;
                fastcgi_temp_path {{absoluteFolder}}/tmp/fastcgi;
                uwsgi_temp_path {{absoluteFolder}}/tmp/uwsgi;
                scgi_temp_path {{absoluteFolder}}/tmp/scgi;
                types { application/ocsp-response der; application/pkix-crl crl; application/pkix-cert crt; }
                server {
                    listen 127.0.0.1:{{port}};
                    root {{www}};
                }
            }

            """);
        return ["-p", absoluteFolder + "/", "-c", Path.Combine(absoluteFolder, "nginx.conf"), "-e", Path.Combine(absoluteFolder, "error.log")];
    }
}
