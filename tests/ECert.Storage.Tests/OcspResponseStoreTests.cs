using ECert.Storage;

namespace ECert.Storage.Tests;

/// <summary>Pre-signed OCSP responses in SQLite: the responses due for refresh are found by their nextUpdate.</summary>
public sealed class OcspResponseStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private readonly ScratchDatabase _scratch = new();
    private readonly SqliteOcspResponseStore _responses;

    public OcspResponseStoreTests() => _responses = new SqliteOcspResponseStore(_scratch.Database);

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void DueResponsesComeSoonestFirstAndThoseOfCertificatesNoLongerAnsweredAreDeleted()
    {
        var now = Now.ToUnixTimeSeconds();
        Certificate("01AA", "valid", notAfter: now + 86_400, responseEnds: now + 600);
        Certificate("01BB", "revoked", notAfter: now + 86_400, responseEnds: now + 60);
        Certificate("01CC", "valid", notAfter: now - 1, responseEnds: now + 30);          // expired
        Certificate("01DD", "abandoned", notAfter: now + 86_400, responseEnds: now + 10);
        Certificate("01EE", "valid", notAfter: now + 86_400, responseEnds: now + 20_000);  // not due
        _scratch.Execute($"INSERT INTO ocsp_responses (serial, ca_slug, this_update, next_update, der) VALUES ('01FF', 'personal-g1', {now}, {now + 5}, x'30')"); // no certificate

        var (due, examined) = _responses.FindExpiring(10, Now, Now.AddHours(4));

        Assert.Equal(["01BB", "01AA"], due.Select(d => d.Certificate.SerialHex));
        Assert.Equal(5, examined);
        Assert.Null(_responses.Find("01CC"));
        Assert.Null(_responses.Find("01DD"));
        Assert.Null(_responses.Find("01FF"));
        Assert.NotNull(_responses.Find("01EE"));
        Assert.Equal((1, 1), (_responses.FindExpiring(1, Now, Now.AddHours(4)).Due.Count, _responses.FindExpiring(1, Now, Now.AddHours(4)).Examined));
    }

    private void Certificate(string serial, string state, long notAfter, long responseEnds)
    {
        var now = Now.ToUnixTimeSeconds();
        _scratch.Execute($"""
            INSERT INTO certificates (serial, ca_slug, profile, partition, subject, srn, not_before, not_after, state, reserved_at, der)
            VALUES ('{serial}', 'personal-g1', 'personal', 0, 'HOLDER', '0000000001', {now - 100}, {notAfter}, '{state}', {now - 100}, x'30');
            INSERT INTO ocsp_responses (serial, ca_slug, this_update, next_update, der) VALUES ('{serial}', 'personal-g1', {now}, {responseEnds}, x'30');
            """);
    }

}
