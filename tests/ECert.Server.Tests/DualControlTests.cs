using ECert.Core;
using ECert.Core.Access;
using ECert.Core.Ceremony;
using ECert.Core.Keys;
using ECert.Core.Settings;
using Microsoft.Data.Sqlite;

namespace ECert.Server.Tests;

/// <summary>Dual control of CA keys: M of N distinct CA officers; one officer can never complete an operation alone.</summary>
public sealed class DualControlTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-ceremony-").FullName;
    private readonly EcertInstance _instance;
    private readonly StaffMember _alice, _bob, _clerk;

    public DualControlTests()
    {
        _instance = EcertInstance.Create(Path.Combine(_folder, "data"), new CaSettings(), () => "ceremony-test");
        _instance.Hierarchy().Create(KeyAlgorithm.P256);
        _instance.CrlPublisher().PublishAll(includeRoots: true);
        var staff = _instance.StaffDirectory();
        _alice = staff.Add("ca-alice", "Alice", Roles.CaOfficer).Member;
        _bob = staff.Add("ca-bob", "Bob", Roles.CaOfficer).Member;
        _clerk = staff.Add("bill", "Bill", Roles.BillingClerk).Member;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void TheRootSignsOnlyWithTwoDistinctCaOfficers()
    {
        var control = _instance.DualControl();
        var before = _instance.Certificates.FindLatestCrl("root-g1", null)!.Number;
        var ceremony = control.Request(_alice, CeremonyOperations.RootCrl, "root-g1");

        Assert.Contains("already approved", Assert.Throws<ECertException>(() => control.Approve(_alice, ceremony.Id)).Message);
        Assert.Contains("1 of the 2", Assert.Throws<ECertException>(() => control.Execute(_alice, ceremony.Id)).Message);
        Assert.Contains("not an active CA officer", Assert.Throws<ECertException>(() => control.Approve(_clerk, ceremony.Id)).Message);
        Assert.Equal(before, _instance.Certificates.FindLatestCrl("root-g1", null)!.Number);

        control.Approve(_bob, ceremony.Id);
        var done = control.Execute(_alice, ceremony.Id);
        Assert.Equal("executed", done.State);
        Assert.True(_instance.Certificates.FindLatestCrl("root-g1", null)!.Number > before);
        Assert.Throws<ECertException>(() => control.Execute(_bob, ceremony.Id));
        Assert.Contains(_instance.Audit.Entries(), e => e.Event.Action == "ceremony.executed" && e.Event.ActorId == "ca-alice");
    }

    [Fact]
    public void TheScheduleNeverSignsWithTheRoot()
    {
        var before = _instance.Certificates.FindLatestCrl("root-g1", null)!.Number;
        _instance.CrlPublisher().PublishAll();
        Assert.Equal(before, _instance.Certificates.FindLatestCrl("root-g1", null)!.Number);
    }

    [Fact]
    public void KeysInUseCannotBeDestroyedAndRetiredOnesAreGone()
    {
        var control = _instance.DualControl();
        Assert.Contains("in use", Assert.Throws<ECertException>(() => control.Request(_alice, CeremonyOperations.DestroyKey, "root-g1")).Message);
        var retired = _instance.Keys.CreateSigningKey("retired-test-key", KeyAlgorithm.P256).KeyId;
        var ceremony = control.Request(_alice, CeremonyOperations.DestroyKey, retired);
        control.Approve(_bob, ceremony.Id);
        control.Execute(_bob, ceremony.Id);
        Assert.Empty(Directory.GetFiles(Path.Combine(_instance.Folder, "keys"), "retired-test-key.*"));
    }

    [Theory]
    [InlineData("*")] // matched every key file: root, issuing, OCSP and audit keys
    [InlineData("root-*")]
    [InlineData("../../canary")]
    [InlineData("")]
    public void ACeremonyTargetIsANameNeverAPatternOrAPath(string target)
    {
        var keys = Directory.GetFiles(Path.Combine(_instance.Folder, "keys")).Length;
        foreach (var operation in new[] { CeremonyOperations.DestroyKey, CeremonyOperations.CreateCa })
            Assert.Contains("must be a CA, key or profile name", Assert.Throws<ECertException>(() =>
                _instance.DualControl().Request(_alice, operation, target)).Message);
        Assert.Equal(keys, Directory.GetFiles(Path.Combine(_instance.Folder, "keys")).Length);
    }

    [Theory]
    [InlineData("personal-g02")] // would be a second "ECert Personal CA G2"
    [InlineData("personal-g1")]
    [InlineData("personal-g")]
    [InlineData("nosuchfamily-g2")]
    public void ANewGenerationIsNamedOnceAndRefusedWhenRequested(string target) =>
        Assert.Contains(target.StartsWith("nosuch", StringComparison.Ordinal) ? "there is no CA family" : target == "personal-g1" ? "exists" : "is not a later generation",
            Assert.Throws<ECertException>(() => _instance.DualControl().Request(_alice, CeremonyOperations.CreateCa, target)).Message);

    private CeremonyRequest TwoOfficers(string operation, string target, string? parameters = null)
    {
        var control = _instance.DualControl();
        var ceremony = control.Request(_alice, operation, target, parameters);
        control.Approve(_bob, ceremony.Id);
        return control.Execute(_bob, ceremony.Id);
    }

    [Fact]
    public void ANewCaGenerationAndAProfileMoveAreCeremonies()
    {
        Assert.Contains("1 of the 2", Assert.Throws<ECertException>(() =>
            _instance.DualControl().Execute(_alice, _instance.DualControl().Request(_alice, CeremonyOperations.CreateCa, "personal-g2").Id)).Message);
        Assert.Null(_instance.Cas.FindCa("personal-g2"));

        TwoOfficers(CeremonyOperations.CreateCa, "personal-g2");
        var g2 = _instance.Cas.FindCa("personal-g2")!;
        Assert.Equal("CN=ECert Personal CA G2, O=ECert, C=HK", g2.Certificate.Subject);
        Assert.NotNull(_instance.Cas.FindResponder("personal-g2"));

        Assert.Contains("199 days", Assert.Throws<ECertException>(() =>
            _instance.DualControl().Request(_alice, CeremonyOperations.ChangeProfile, "server", """{"ValidityDays": 300, "MaxValidityDays": 300}""")).Message);
        Assert.Contains("not an issuing CA", Assert.Throws<ECertException>(() =>
            _instance.DualControl().Request(_alice, CeremonyOperations.ChangeProfile, "personal", """{"IssuingCa": "nowhere-g9"}""")).Message);

        TwoOfficers(CeremonyOperations.ChangeProfile, "personal", """{"IssuingCa": "personal-g2"}""");
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var issued = _instance.Issuer().Issue(new ECert.Core.Issuance.IssuanceRequest("personal",
            System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _),
            new ECert.Core.Issuance.SubjectDetails { Name = "CHAN Tai Man", IdNumber = "A123456(3)" }));
        Assert.Equal("personal-g2", issued.Issuer.Slug);
        // The change is in ecert.json, so the next process sees it too.
        var reopened = EcertInstance.Open(_instance.Folder, () => "ceremony-test");
        Assert.Equal("personal-g2", reopened.Settings.Profiles["personal"].IssuingCa);
    }

    [Fact]
    public void FewerThanTwoApprovalsIsNotASetting()
    {
        var error = Assert.Throws<ECertException>(() => new CaSettings { DualControlApprovals = 1 }.Validate());
        Assert.Contains("one officer may never", error.Message);
    }
}
