using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Issuance;

namespace ECert.Core.Tests;

public class PublicKeyPolicyTests
{
    private static PublicKey KeyOf(AsymmetricAlgorithm key) =>
        PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);

    [Fact]
    public void Rsa2048AndTheNistCurvesAreAccepted()
    {
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        PublicKeyPolicy.Check(KeyOf(rsa));
        PublicKeyPolicy.Check(KeyOf(p256));
        PublicKeyPolicy.Check(KeyOf(p384));
    }

    [Fact]
    public void Rsa1024IsRefusedAsTooWeak()
    {
        using var rsa = RSA.Create(1024);
        var error = Assert.Throws<ECertException>(() => PublicKeyPolicy.Check(KeyOf(rsa)));
        Assert.Equal(ErrorKind.PolicyViolation, error.Kind);
        Assert.Contains("1024 bits is too weak", error.Message);
    }

    [Fact]
    public void P521IsRefused()
    {
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var error = Assert.Throws<ECertException>(() => PublicKeyPolicy.Check(KeyOf(p521)));
        Assert.Contains("P-256 or P-384", error.Message);
    }

    [Fact]
    public void SmallPublicExponentIsRefused()
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        parameters.Exponent = [3];
        var error = Assert.Throws<ECertException>(() => PublicKeyPolicy.CheckRsa(parameters));
        Assert.Contains("exponent", error.Message);
    }

    [Fact]
    public void AnExponentOfMoreThan256BitsIsRefused()
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        parameters.Exponent = (BigInteger.One << 300 | BigInteger.One).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Contains("below 2^256", Assert.Throws<ECertException>(() => PublicKeyPolicy.CheckRsa(parameters)).Message);
    }

    [Fact]
    public void ModulusWithASmallFactorIsRefused()
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        var modulus = new BigInteger(parameters.Modulus, isUnsigned: true, isBigEndian: true);
        modulus -= modulus % 7; // now divisible by 7, still 2048 bits
        parameters.Modulus = modulus.ToByteArray(isUnsigned: true, isBigEndian: true);
        var error = Assert.Throws<ECertException>(() => PublicKeyPolicy.CheckRsa(parameters));
        Assert.Contains("small prime", error.Message);
    }

    [Fact]
    public void RocaShapedModulusIsDetectedAndAnHonestOneIsNot()
    {
        // A ROCA modulus is congruent to a power of 65537 modulo the product M of the fingerprint primes.
        var m = RocaFingerprint.FingerprintPrimes.Aggregate(BigInteger.One, (acc, p) => acc * p);
        // Pick a power whose modulus has no factor below 1000, so only the ROCA check can object.
        var modulus = Enumerable.Range(12345, 1000)
            .Select(k => ((BigInteger.One << 2047) / m + 1) * m + BigInteger.ModPow(65537, k, m))
            .First(n => Enumerable.Range(2, 998).All(p => n % p != 0));
        Assert.True(RocaFingerprint.Matches(modulus));

        using var rsa = RSA.Create(2048);
        var honest = new BigInteger(rsa.ExportParameters(false).Modulus, isUnsigned: true, isBigEndian: true);
        Assert.False(RocaFingerprint.Matches(honest));

        var parameters = rsa.ExportParameters(false);
        parameters.Modulus = modulus.ToByteArray(isUnsigned: true, isBigEndian: true);
        var error = Assert.Throws<ECertException>(() => PublicKeyPolicy.CheckRsa(parameters));
        Assert.Contains("ROCA", error.Message);
    }

    [Theory]
    [InlineData("nistP256")]
    [InlineData("nistP384")]
    public void AnEcPointOffItsCurveIsRefusedAndOneOnItIsAccepted(string curve)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var spki = key.ExportSubjectPublicKeyInfo();
        PublicKeyPolicy.Check(PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _));
        spki[^1] ^= 0x01;   // the last byte of y: the point leaves the curve
        var error = Assert.Throws<ECertException>(() => PublicKeyPolicy.Check(PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _)));
        Assert.Contains("not a point on its curve", error.Message);
    }

    [Fact]
    public void SmallPrimeResiduesAgreeWithBigIntegerDivision()
    {
        var random = new Random(7);
        foreach (var length in new[] { 1, 3, 4, 5, 255, 256, 257, 384, 512 })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            var residues = SmallPrimeResidues.Of(bytes);
            for (var i = 0; i < PublicKeyPolicy.SmallPrimes.Length; i++)
                Assert.Equal((uint)(value % PublicKeyPolicy.SmallPrimes[i]), residues[i]);
        }
    }
}
