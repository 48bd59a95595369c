using ECert.Core;
using ECert.Core.Asn1;
using ECert.Core.Profiles;

namespace ECert.Core.Tests;

public class ProfileFactoryTests
{
    [Fact]
    public void EveryBuiltInProfileIsValid()
    {
        foreach (var name in BuiltInProfiles.Names)
        {
            var profile = ProfileFactory.Create(name);
            Assert.Equal(name, profile.Name);
            Assert.NotEmpty(profile.PolicyOids);
        }
    }

    [Fact]
    public void ServerProfileFollowsTheBaselineRequirements()
    {
        var server = ProfileFactory.Create(BuiltInProfiles.Server);
        Assert.Equal([Oids.ServerAuth], server.ExtendedKeyUsageOids);
        Assert.True(server.MaxValidityDays <= 199);
        Assert.Contains(Oids.CabfOrganizationValidated, server.PolicyOids);
    }

    private static string Refusal(string profile, ProfileOptions overrides)
    {
        var error = Assert.Throws<ECertException>(() =>
            ProfileFactory.Create(profile, new Dictionary<string, ProfileOptions> { [profile] = overrides }));
        return error.Message;
    }

    [Fact]
    public void ServerValidityAbove199DaysIsRefused() =>
        Assert.Contains("199", Refusal(BuiltInProfiles.Server, new() { ValidityDays = 200, MaxValidityDays = 200 }));

    [Fact]
    public void ServerWithClientAuthIsRefused() =>
        Assert.Contains("serverAuth", Refusal(BuiltInProfiles.Server, new() { ExtendedKeyUsages = ["serverAuth", "clientAuth"] }));

    [Fact]
    public void ClientProfileWithServerAuthIsRefused() =>
        Assert.Contains("serverAuth belongs only", Refusal(BuiltInProfiles.Personal, new() { ExtendedKeyUsages = ["serverAuth"] }));

    [Fact]
    public void CaKeyUsagesAreRefusedInSubscriberProfiles() =>
        Assert.Contains("keyCertSign", Refusal(BuiltInProfiles.Personal, new() { KeyUsages = ["digitalSignature", "keyCertSign"] }));

    [Fact]
    public void AnyExtendedKeyUsageIsRefused() =>
        Assert.Contains("anyExtendedKeyUsage", Refusal(BuiltInProfiles.Organisational, new() { ExtendedKeyUsages = ["2.5.29.37.0"] }));

    [Fact]
    public void ValidityAboveTheProfileMaximumIsRefused() =>
        Assert.Contains("exceeds", Refusal(BuiltInProfiles.Encipherment, new() { ValidityDays = 400 }));

    [Fact]
    public void NonRepudiationOnServerIsRefused() =>
        Assert.Contains("7.1.2.7.11", Refusal(BuiltInProfiles.Server, new() { KeyUsages = ["digitalSignature", "nonRepudiation"] }));

    [Fact]
    public void UnknownProfileNamesTheKnownOnes()
    {
        var error = Assert.Throws<ECertException>(() => ProfileFactory.Create("gold"));
        Assert.Contains("personal-smartid", error.Message);
    }
}
