using ECert.Core.Status;

namespace ECert.Server.Tests;

/// <summary>The CRL snapshot of the SQLite store: numbers and entries agree, and revocations are not held up.</summary>
public sealed class CrlSnapshotTests : IDisposable
{
    private readonly ServiceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void AHigherNumberedSnapshotNeverMissesARevocationALowerOneShows()
    {
        var srn = _world.RegisterPerson();
        var first = _world.IssuePersonal(srn).Serial;
        var second = _world.IssuePersonal(srn).Serial;
        var store = _world.Instance.Certificates;
        var status = _world.Instance.Status();
        var now = _world.Clock.GetUtcNow();

        status.Revoke(first, RevocationReason.KeyCompromise);
        using var earlier = store.OpenCrlSnapshot("personal-g1", now);
        // The snapshot holds no write lock once its numbers are taken: a revocation commits at once,
        // and the earlier snapshot, still being read, does not see it.
        status.Revoke(second, RevocationReason.Superseded);
        using var later = store.OpenCrlSnapshot("personal-g1", now);

        Assert.True(later.FirstNumber > earlier.FirstNumber + earlier.PartitionCount);
        Assert.Equal([first], earlier.Entries(null).Select(e => e.SerialHex));
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), later.Entries(null).Select(e => e.SerialHex));
        Assert.Equal(later.Entries(null).Select(e => e.SerialHex), Enumerable.Range(0, later.PartitionCount).SelectMany(p => later.Entries(p)).Select(e => e.SerialHex));
    }

    [Fact]
    public void AStoredCrlIsReadBackAsAStreamOfItsAnnouncedLength()
    {
        var srn = _world.RegisterPerson();
        var serial = _world.IssuePersonal(srn).Serial;
        _world.Instance.Status().Revoke(serial, RevocationReason.KeyCompromise);
        _world.Instance.CrlPublisher().PublishAll();

        var crl = _world.Instance.Certificates.FindLatestCrl("personal-g1", null)!;
        var der = _world.LatestCrl("personal-g1", null);
        Assert.Equal(crl.Bytes, der.Length);
        Assert.Equal(1, crl.EntryCount);
        Assert.Equal([(serial, (int?)RevocationReason.KeyCompromise)], CrlReader.Entries(der));
        Assert.Null(_world.Instance.Certificates.OpenCrl(crl with { Number = crl.Number + 1000 }));
    }
}
