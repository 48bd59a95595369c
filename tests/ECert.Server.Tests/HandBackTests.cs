using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Audit;
using ECert.Core.Status;
using Microsoft.Data.Sqlite;

namespace ECert.Server.Tests;

/// <summary>The Government's export and its import into a fresh instance: identical records, identical answers.</summary>
public sealed class HandBackTests : IDisposable
{
    private readonly ServiceWorld _world = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-handback-").FullName;
    private readonly X509Certificate2 _recipient;

    public HandBackTests()
    {
        using var key = RSA.Create(3072);
        using var certificate = new CertificateRequest("CN=Government Records Office", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        _recipient = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12, "p"), "p");
    }

    public void Dispose()
    {
        _recipient.Dispose();
        SqliteConnection.ClearAllPools();
        _world.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static Dictionary<string, List<string>> Rows(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        var result = new Dictionary<string, List<string>>();
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            using var reader = select.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL"
                    : reader.GetValue(i) is byte[] b ? Convert.ToHexString(b) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            result[table] = rows;
        }
        return result;
    }

    private (string Export, EcertInstance Imported) ExportAndImport(int partBytes = GovernmentExport.DefaultPartBytes)
    {
        var srn = _world.RegisterPerson();
        var serials = Enumerable.Range(0, 3).Select(_ => _world.IssuePersonal(srn).Serial).ToList();
        _world.Instance.Status().Revoke(serials[0], RevocationReason.KeyCompromise);
        _world.Instance.Status().Suspend(serials[1]);
        _world.Instance.CrlPublisher().PublishAll();

        var export = Path.Combine(_folder, "export");
        var report = GovernmentExport.Export(_world.Instance, export, _recipient, new AuditActor("operator-admin", "test", Purpose: "contract-hand-back"), partBytes);
        Assert.True(report.Tables > 20);
        var imported = Path.Combine(_folder, "imported");
        GovernmentExport.Import(export, imported, _recipient);
        return (export, EcertInstance.Open(imported, () => "service-test", _world.Clock));
    }

    /// <summary>Every table of the imported instance holds exactly the original's rows, and its audit trail verifies.</summary>
    private void AssertSameRecords(EcertInstance imported)
    {
        SqliteConnection.ClearAllPools();
        var before = Rows(_world.Instance.Database.Path);
        var after = Rows(imported.Database.Path);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var table in before.Keys) Assert.True(before[table].SequenceEqual(after[table]), $"table {table} differs after import");
        Assert.True(imported.Audit.Verify().Intact);
    }

    [Fact]
    public void AnImportedInstanceHoldsEveryRecordAndAnswersOcspTheSame()
    {
        var (export, imported) = ExportAndImport();
        AssertSameRecords(imported);

        foreach (var certificate in imported.Applications.ListApplications().Where(a => a.Serial is not null))
        {
            var issuer = imported.Cas.FindCa(imported.Certificates.FindCertificate(certificate.Serial!)!.CaSlug)!.Certificate;
            var request = OcspWire.Request(issuer, certificate.Serial!);
            var original = OcspWire.Read(_world.Instance.OcspResponder().Respond(request).Der);
            var copy = OcspWire.Read(imported.OcspResponder().Respond(request).Der);
            Assert.Equal((original.Status, original.CertStatus, original.Reason), (copy.Status, copy.CertStatus, copy.Reason));
        }
        // The export carries no personal data in clear.
        var bytes = Directory.GetFiles(export, "*", SearchOption.AllDirectories).SelectMany(File.ReadAllBytes).ToArray();
        Assert.Equal(-1, bytes.AsSpan().IndexOf("CHAN Tai Man"u8));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("A123456"u8));
    }

    [Fact]
    public void LargeTablesGoOutInPartsAndComeBackWhole()
    {
        // 2 KB parts: the certificates and the audit trail span several files each.
        var (export, imported) = ExportAndImport(partBytes: 2048);
        var parts = Directory.GetFiles(Path.Combine(export, "tables"), "certificates*.p7m").Select(Path.GetFileName).Order().ToList();
        Assert.True(parts.Count >= 2, string.Join(", ", parts));
        Assert.True(Directory.GetFiles(Path.Combine(export, "tables"), "audit_entries*.p7m").Length >= 2);
        Assert.Contains("certificates.jsonl.p7m", parts);
        Assert.Contains("certificates.2.jsonl.p7m", parts);
        AssertSameRecords(imported);

        // A part removed from the export is named, and nothing is imported.
        File.Delete(Path.Combine(export, "tables", "certificates.2.jsonl.p7m"));
        var error = Assert.Throws<ECertException>(() => GovernmentExport.Import(export, Path.Combine(_folder, "again"), _recipient));
        Assert.Contains("certificates.2.jsonl.p7m", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "again")));
    }

    [Fact]
    public void TheDemoDataSetRoundTripsWithEveryRecordAndEveryOcspAnswer()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = new ECert.Cli.Commands.DemoClock(now.AddYears(-2));
        var demo = EcertInstance.Create(Path.Combine(_folder, "demo"), new ECert.Core.Settings.CaSettings(), () => "demo-pass", clock);
        demo.Hierarchy().Create(ECert.Core.Keys.KeyAlgorithm.P256);
        demo.CrlPublisher().PublishAll(includeRoots: true);
        ECert.Cli.Commands.DemoDataCommand.Fill(demo, clock, 40, 2026, now);

        var export = Path.Combine(_folder, "demo-export");
        GovernmentExport.Export(demo, export, _recipient, new AuditActor("operator-admin", "test"));
        GovernmentExport.Import(export, Path.Combine(_folder, "demo-imported"), _recipient);
        var imported = EcertInstance.Open(Path.Combine(_folder, "demo-imported"), () => "demo-pass", clock);

        SqliteConnection.ClearAllPools();
        var before = Rows(demo.Database.Path);
        var after = Rows(imported.Database.Path);
        foreach (var table in before.Keys) Assert.True(before[table].SequenceEqual(after[table]), $"table {table} differs after import");
        Assert.True(before["certificates"].Count > 30);

        var serials = before["certificates"].Select(row => row.Split('|')[0]).ToList();
        foreach (var serial in serials)
        {
            var record = demo.Certificates.FindCertificate(serial)!;
            if (record.Der is null) continue;
            var request = OcspWire.Request(demo.Cas.FindCa(record.CaSlug)!.Certificate, serial);
            var original = OcspWire.Read(demo.OcspResponder().Respond(request).Der);
            var copy = OcspWire.Read(imported.OcspResponder().Respond(request).Der);
            Assert.Equal((original.CertStatus, original.Reason), (copy.CertStatus, copy.Reason));
        }
    }

    [Fact]
    public void ATamperedExportIsRefusedNamingTheFile()
    {
        var (export, _) = ExportAndImport();
        var target = Path.Combine(export, "tables", "certificates.jsonl.p7m");
        var bytes = File.ReadAllBytes(target);
        bytes[^20] ^= 0x5A;
        File.WriteAllBytes(target, bytes);
        var error = Assert.Throws<ECertException>(() => GovernmentExport.Import(export, Path.Combine(_folder, "again"), _recipient));
        Assert.Contains("certificates.jsonl.p7m", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "again", "keys")));
    }

    [Fact]
    public void AnAlteredManifestIsRefused()
    {
        var (export, _) = ExportAndImport();
        var manifest = Path.Combine(export, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("ecert-handback-1", "ecert-handback-2"));
        Assert.Contains("manifest.json is not signed", Assert.Throws<ECertException>(() =>
            GovernmentExport.Import(export, Path.Combine(_folder, "again"), _recipient)).Message);
    }
}
