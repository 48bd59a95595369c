using ECert.Core;
using ECert.Core.Issuance;

namespace ECert.Core.Tests;

public class SerialNumbersTests
{
    [Fact]
    public void SerialsArePositiveSixteenOctetsAndDistinct()
    {
        var serials = Enumerable.Range(0, 1000).Select(_ => SerialNumbers.NewSerial()).ToList();
        Assert.All(serials, s =>
        {
            Assert.Equal(16, s.Length);
            Assert.InRange(s[0], 0x01, 0x7F);
        });
        Assert.Equal(1000, serials.Select(s => SerialNumbers.ToHex(s)).Distinct().Count());
    }

    [Fact]
    public void SerialsStartWithTheMomentAndEndWithEightyRandomBits()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var serials = Enumerable.Range(0, 1000).Select(_ => SerialNumbers.NewSerial()).ToList();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        static long Moment(byte[] s) => s.Take(6).Aggregate(0L, (value, octet) => (value << 8) | octet);
        Assert.All(serials, s => Assert.InRange(Moment(s), before, after));
        // Issued in order, the hex forms sort in order: the store's index grows at one end.
        var hex = serials.Select(s => SerialNumbers.ToHex(s)).ToList();
        Assert.All(hex.Zip(hex.Skip(1)), pair => Assert.True(string.CompareOrdinal(pair.First[..12], pair.Second[..12]) <= 0));
        // The random part: 10,000 random octets should use every value at least a few times.
        var octets = serials.SelectMany(s => s.Skip(6)).GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(256, octets.Count);
        Assert.Equal(1000, serials.Select(s => Convert.ToHexString(s, 6, 10)).Distinct().Count());
    }

    [Theory]
    [InlineData("0x5d:e0:01", "5DE001")]
    [InlineData("00ff", "00FF")]
    [InlineData("7f", "7F")]
    [InlineData("0007f", "7F")]
    [InlineData("0000000000000000000000000000000000000000000000000001", "01")] // zero-padded past 42 characters
    public void PastedSerialsNormaliseToTheDerIntegerContent(string input, string expected) =>
        Assert.Equal(expected, SerialNumbers.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("0")]
    public void NonSerialsAreRefused(string input) =>
        Assert.Equal(ErrorKind.InvalidInput, Assert.Throws<ECertException>(() => SerialNumbers.Normalize(input)).Kind);

    [Fact]
    public void ASerialLongerThanTwentyOctetsSaysSo() =>
        Assert.Contains("longer than a certificate serial can be", Assert.Throws<ECertException>(() => SerialNumbers.Normalize("1" + new string('0', 40))).Message);
}
