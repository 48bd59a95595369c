using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using ECert.Core;
using ECert.Core.Audit;
using ECert.Storage;
using Microsoft.Data.Sqlite;

namespace ECert.Server;

/// <summary>What an export wrote, or an import loaded.</summary>
public sealed record HandBackReport(int Tables, long Rows, int Files, string Folder);

/// <summary>
/// The hand-back at the end of the contract: every record the service holds (every table: CAs,
/// certificates and their status history, CRLs, subscribers, applications, payments, consents,
/// requests, the audit trail), the settings and the keystore files (still encrypted under the
/// keystore passphrase), each file encrypted to the Government's recipient certificate (CMS
/// EnvelopedData, AES-256), with a manifest of the SHA-256 of every plaintext file signed by the
/// audit key. Import checks every hash and the signature, names any file that does not match, and
/// loads everything into a fresh instance that then answers exactly as the old one did.
/// A table larger than <see cref="DefaultPartBytes"/> is written in parts (tables/certificates.jsonl,
/// tables/certificates.2.jsonl, ...): a population's certificates with their pre-signed OCSP
/// responses are gigabytes, and neither side ever holds more than one part in memory.
/// </summary>
public static class GovernmentExport
{
    private const string Manifest = "manifest.json";
    private const string Signature = "manifest.sig";

    /// <summary>Plaintext bytes of table rows per exported file (each file is encrypted whole, in memory).</summary>
    public const int DefaultPartBytes = 64 << 20;

    public static HandBackReport Export(EcertInstance instance, string folder, X509Certificate2 recipient, AuditActor actor,
        int partBytes = DefaultPartBytes)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw ECertException.Conflict($"{folder} exists and is not empty");
        Directory.CreateDirectory(folder);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long rows = 0;
        var tables = 0;

        void Write(string name, byte[] plain)
        {
            hashes[name] = Convert.ToHexString(SHA256.HashData(plain));
            var envelope = new EnvelopedCms(new ContentInfo(plain), new AlgorithmIdentifier(new Oid("2.16.840.1.101.3.4.1.42"))); // AES-256-CBC
            envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, recipient, RSAEncryptionPadding.OaepSHA256));
            var path = Path.Combine(folder, name + ".p7m");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, envelope.Encode());
        }

        instance.Audit.Record(new AuditEvent(actor.Role, actor.Id, "government.export", folder, Purpose: "contract-hand-back"));
        // The trail is signed as it stands at the export (this also makes sure the audit key exists).
        instance.Audit.Checkpoint();
        // Opened before the tables are read, so the export's own entries are all in it.
        var auditKey = instance.Keys.GetSigningKey(AuditTrail.AuditKeyId);
        using (var connection = instance.Database.Open())
            foreach (var table in Tables(connection))
            {
                rows += DumpTable(connection, table, partBytes, (part, bytes) => Write(part == 1 ? $"tables/{table}.jsonl" : $"tables/{table}.{part}.jsonl", bytes));
                tables++;
            }
        Write("ecert.json", File.ReadAllBytes(Path.Combine(instance.Folder, EcertInstance.SettingsFile)));
        foreach (var key in Directory.GetFiles(Path.Combine(instance.Folder, EcertInstance.KeysFolder)))
            Write($"keys/{Path.GetFileName(key)}", File.ReadAllBytes(key));

        var manifest = JsonSerializer.SerializeToUtf8Bytes(new { format = "ecert-handback-1", exportedAt = instance.Time.GetUtcNow(), files = hashes },
            new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllBytes(Path.Combine(folder, Manifest), manifest);
        File.WriteAllBytes(Path.Combine(folder, Signature), auditKey.Sign(manifest));
        File.WriteAllText(Path.Combine(folder, "audit-key.pem"), PemEncoding.WriteString("PUBLIC KEY", auditKey.PublicKey.ExportSubjectPublicKeyInfo()));
        return new HandBackReport(tables, rows, hashes.Count, folder);
    }

    /// <summary>A file of the export: a regular file (never a link to a device) of a bounded size.</summary>
    private static byte[] ReadExportFile(string path, long maxBytes)
    {
        RegularFiles.RefuseSpecial(path, "the export's file");
        var length = new FileInfo(path).Length;
        if (length > maxBytes) throw ECertException.Invalid($"{path} is {length} bytes, larger than that file of an export can be");
        return File.ReadAllBytes(path);
    }

    /// <summary>Loads an export into a new data folder; refuses a tampered export naming the file.</summary>
    public static HandBackReport Import(string exportFolder, string dataFolder, X509Certificate2 recipientWithKey, string? trustedAuditKeyPem = null)
    {
        if (File.Exists(Path.Combine(dataFolder, EcertInstance.SettingsFile)) || File.Exists(Path.Combine(dataFolder, EcertInstance.DatabaseFile)))
            throw ECertException.Conflict($"{dataFolder} already holds an instance; import into a new folder");
        var manifestPath = Path.Combine(exportFolder, Manifest);
        if (!File.Exists(manifestPath)) throw ECertException.Invalid($"{exportFolder} has no {Manifest}: it is not an ECert export");
        var manifestBytes = ReadExportFile(manifestPath, 16 << 20);
        var auditKeyPem = trustedAuditKeyPem ?? System.Text.Encoding.UTF8.GetString(ReadExportFile(Path.Combine(exportFolder, "audit-key.pem"), 64 << 10));
        using (var auditKey = ECDsa.Create())
        {
            // Only a public key: a PEM that holds anything else (a private key, a certificate) is not the published audit key.
            if (!System.Security.Cryptography.PemEncoding.TryFind(auditKeyPem, out var pem) || auditKeyPem[pem.Label] != "PUBLIC KEY")
                throw ECertException.Invalid("the audit key is not a PEM public key ('BEGIN PUBLIC KEY')");
            try
            {
                auditKey.ImportFromPem(auditKeyPem);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw ECertException.Invalid($"the audit key is not an ECDSA public key: {e.Message}");
            }
            if (!auditKey.VerifyData(manifestBytes, ReadExportFile(Path.Combine(exportFolder, Signature), 64 << 10), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
                throw ECertException.Policy($"{Manifest} is not signed by the audit key: the export was altered");
        }
        var files = JsonNode.Parse(manifestBytes)!["files"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

        // Decrypt and check everything before writing anything. Table parts are only checked here
        // (and decrypted again to be loaded), so memory holds one part at a time.
        byte[] Open(string name)
        {
            var path = Path.Combine(exportFolder, name + ".p7m");
            if (!File.Exists(path)) throw ECertException.Invalid($"the export is missing {name}.p7m");
            var envelope = new EnvelopedCms();
            try
            {
                envelope.Decode(ReadExportFile(path, int.MaxValue));
                envelope.Decrypt(new X509Certificate2Collection(recipientWithKey));
            }
            catch (CryptographicException e)
            {
                throw ECertException.Invalid($"{name}.p7m cannot be decrypted with the recipient key: {e.Message}");
            }
            var bytes = envelope.ContentInfo.Content;
            if (!Convert.ToHexString(SHA256.HashData(bytes)).Equals(files[name], StringComparison.Ordinal))
                throw ECertException.Invalid($"{name}.p7m does not match its hash in the signed manifest: the export was altered");
            return bytes;
        }
        var plain = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in files.Keys)
        {
            var bytes = Open(name);
            if (!name.StartsWith("tables/", StringComparison.Ordinal)) plain[name] = bytes;
        }
        var extra = Directory.GetFiles(exportFolder, "*.p7m", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(exportFolder, p)[..^4].Replace('\\', '/')).FirstOrDefault(n => !files.ContainsKey(n));
        if (extra is not null) throw ECertException.Invalid($"{extra}.p7m is not in the signed manifest: the export was altered");
        if (!plain.ContainsKey("ecert.json")) throw ECertException.Invalid("the export has no ecert.json (the instance's settings)");
        // Each table's parts in their order, so every row gets back its rowid.
        var parts = files.Keys.Where(n => n.StartsWith("tables/", StringComparison.Ordinal))
            .Select(n => (Name: n, Part: PartOf(n))).OrderBy(p => p.Part.Table, StringComparer.Ordinal).ThenBy(p => p.Part.Number).ToList();

        var folderExisted = Directory.Exists(dataFolder);
        try
        {
            Directory.CreateDirectory(dataFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var keys = Path.Combine(dataFolder, EcertInstance.KeysFolder);
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var (name, bytes) in plain.Where(p => p.Key.StartsWith("keys/", StringComparison.Ordinal)))
                WriteOwnerOnly(Path.Combine(keys, name["keys/".Length..]), bytes);
            WriteOwnerOnly(Path.Combine(dataFolder, EcertInstance.SettingsFile), plain["ecert.json"]);

            var database = new SqliteDatabase(Path.Combine(dataFolder, EcertInstance.DatabaseFile));
            database.Migrate();
            long rows = 0;
            using (var connection = database.Open())
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA foreign_keys = OFF";
                pragma.ExecuteNonQuery();
                using var transaction = connection.BeginTransaction();
                foreach (var (name, part) in parts)
                    rows += LoadTable(connection, transaction, part.Table, Open(name));
                using var check = connection.CreateCommand();
                check.Transaction = transaction;
                check.CommandText = "PRAGMA foreign_key_check";
                using (var reader = check.ExecuteReader())
                    if (reader.Read()) throw ECertException.Invalid($"the export's table {reader.GetString(0)} refers to rows that are not in it");
                transaction.Commit();
            }
            database.CloseAll();
            return new HandBackReport(parts.Select(p => p.Part.Table).Distinct().Count(), rows, files.Count, dataFolder);
        }
        catch
        {
            // Nothing half-imported is left behind to block the next attempt.
            SqliteConnection.ClearAllPools();
            if (!folderExisted) Directory.Delete(dataFolder, recursive: true);
            else
            {
                if (Directory.Exists(Path.Combine(dataFolder, EcertInstance.KeysFolder))) Directory.Delete(Path.Combine(dataFolder, EcertInstance.KeysFolder), recursive: true);
                foreach (var file in new[] { EcertInstance.SettingsFile, EcertInstance.DatabaseFile, EcertInstance.DatabaseFile + "-wal", EcertInstance.DatabaseFile + "-shm" })
                    File.Delete(Path.Combine(dataFolder, file));
            }
            throw;
        }
    }

    /// <summary>tables/certificates.jsonl is part 1 of table certificates, tables/certificates.2.jsonl part 2.</summary>
    private static (string Table, int Number) PartOf(string name)
    {
        if (!name.EndsWith(".jsonl", StringComparison.Ordinal) || name.Length <= "tables/.jsonl".Length)
            throw ECertException.Invalid($"{name} is not a table part name");
        var stem = name["tables/".Length..^".jsonl".Length];
        var dot = stem.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return (stem, 1);
        return int.TryParse(stem[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 1
            ? (stem[..dot], number)
            : throw ECertException.Invalid($"{name} is not a table part name");
    }

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(bytes);
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name";
        using var reader = command.ExecuteReader();
        var list = new List<string>();
        while (reader.Read()) list.Add(reader.GetString(0));
        return list;
    }

    /// <summary>
    /// One JSON object a row; blobs as {"b64": ...} so types survive the round trip. The rows go out
    /// in parts of about <paramref name="partBytes"/> (part 1 even when the table is empty).
    /// </summary>
    private static long DumpTable(SqliteConnection connection, string table, int partBytes, Action<int, byte[]> writePart)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
        using var reader = command.ExecuteReader();
        using var output = new MemoryStream();
        long count = 0;
        var part = 0;
        while (reader.Read())
        {
            if (output.Length >= partBytes)
            {
                writePart(++part, output.ToArray());
                output.SetLength(0);
            }
            var row = new JsonObject();
            for (var i = 0; i < reader.FieldCount; i++)
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                {
                    byte[] blob => new JsonObject { ["b64"] = Convert.ToBase64String(blob) },
                    long number => JsonValue.Create(number),
                    double real => JsonValue.Create(real),
                    var other => JsonValue.Create(Convert.ToString(other, CultureInfo.InvariantCulture)),
                };
            output.Write(System.Text.Encoding.UTF8.GetBytes(row.ToJsonString() + "\n"));
            count++;
        }
        writePart(++part, output.ToArray());
        return count;
    }

    private static long LoadTable(SqliteConnection connection, SqliteTransaction transaction, string table, byte[] bytes)
    {
        if (!table.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) throw ECertException.Invalid($"'{table}' is not a table name");
        long count = 0;
        foreach (var line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var row = JsonNode.Parse(line)!.AsObject();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            var columns = row.Select(p => p.Key).ToList();
            insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
            for (var i = 0; i < columns.Count; i++)
            {
                var value = row[columns[i]];
                insert.Parameters.AddWithValue($"$p{i}", value switch
                {
                    null => DBNull.Value,
                    JsonObject blob => Convert.FromBase64String(blob["b64"]!.GetValue<string>()),
                    JsonValue v when v.TryGetValue<long>(out var number) => number,
                    JsonValue v when v.TryGetValue<double>(out var real) => real,
                    JsonValue v => v.GetValue<string>(),
                    _ => throw ECertException.Invalid($"table {table} has a value of an unexpected shape"),
                });
            }
            insert.ExecuteNonQuery();
            count++;
        }
        return count;
    }
}
