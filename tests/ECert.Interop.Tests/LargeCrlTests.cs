using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ECert.Interop.Tests;

/// <summary>
/// A CRL of 50,000 entries: rows written straight into the database of an instance of its own,
/// then <c>./ecert crl</c>, then the CRLs fetched over HTTP from the running server and checked by
/// OpenSSL (signature) and the test reader (entries).
/// </summary>
public sealed class LargeCrlTests(EcertServerFixture ca) : IClassFixture<EcertServerFixture>
{
    private const int Revoked = 50_000;
    private const int RowsPerPartition = 10_000;

    [Fact]
    public async Task FiftyThousandRevokedCertificatesAreListedAndServed()
    {
        var serials = InsertRevokedCertificates();
        var run = await ca.EcertAsync("crl");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"personal-g1\tnumber=", run.Stdout);
        Assert.Contains($"entries={Revoked}\t", run.Stdout);
        Assert.Matches("peak-working-set-bytes=[0-9]+", run.Stderr);

        var issuer = await new RelyingParty(ca).DownloadPemAsync($"{ca.BaseUrl}/ca/personal-g1.crt", "CERTIFICATE", "large-issuer.pem");
        var full = await DownloadAsync("/crl/personal-g1.crl", "large-full.crl");
        var entries = CrlReader.Entries(full);
        Assert.Equal(Revoked, entries.Count);
        Assert.Contains((serials[12_346], (int?)1), entries);
        var verify = await Tooling.OpensslAsync("crl", "-inform", "DER", "-in", ca.File("large-full.crl"), "-CAfile", issuer, "-noout", "-crlnumber");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("verify OK", verify.Stdout + verify.Stderr);

        var partition = CrlReader.Entries(await DownloadAsync("/crl/personal-g1/3.crl", "large-3.crl"));
        Assert.Equal(RowsPerPartition, partition.Count);
        Assert.Contains((serials[3 * RowsPerPartition + 5], (int?)null), partition);
    }

    private async Task<byte[]> DownloadAsync(string path, string fileName)
    {
        using var response = await ca.Http.GetAsync(ca.BaseUrl + path);
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/pkix-crl", response.Content.Headers.ContentType?.MediaType);
        var der = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(der.Length, response.Content.Headers.ContentLength);
        await File.WriteAllBytesAsync(ca.File(fileName), der);
        return der;
    }

    /// <summary>Revoked rows as the store keeps them; every fifth without a reason, the others keyCompromise.</summary>
    private List<string> InsertRevokedCertificates()
    {
        var serials = Enumerable.Range(0, Revoked).Select(i => "5EC0" + i.ToString("X28", CultureInfo.InvariantCulture)).ToList();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(ca.DataFolder, "ecert.db")};Pooling=false");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state,
                                      revoked_at, reason, status_changed_at, reserved_at)
            VALUES ($serial, 'personal-g1', 'personal', $partition, 'CN=Load', '0000000000', unixepoch() - 86400, unixepoch() + 86400 * 365,
                    'revoked', unixepoch() - 3600, $reason, unixepoch() - 3600, unixepoch() - 86400)
            """;
        var serial = insert.Parameters.Add("$serial", SqliteType.Text);
        var partition = insert.Parameters.Add("$partition", SqliteType.Integer);
        var reason = insert.Parameters.Add("$reason", SqliteType.Integer);
        for (var i = 0; i < Revoked; i++)
        {
            serial.Value = serials[i];
            partition.Value = i / RowsPerPartition;
            reason.Value = i % 5 == 0 ? DBNull.Value : 1;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return serials;
    }
}
