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
            Assert.InRange(s[0], 0x40, 0x7F);
        });
        Assert.Equal(1000, serials.Select(s => SerialNumbers.ToHex(s)).Distinct().Count());
    }

    [Theory]
    [InlineData("0x5d:e0:01", "5DE001")]
    [InlineData("00ff", "00FF")]
    [InlineData("7f", "7F")]
    [InlineData("0007f", "7F")]
    public void PastedSerialsNormaliseToTheDerIntegerContent(string input, string expected) =>
        Assert.Equal(expected, SerialNumbers.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("0")]
    public void NonSerialsAreRefused(string input) =>
        Assert.Equal(ErrorKind.InvalidInput, Assert.Throws<ECertException>(() => SerialNumbers.Normalize(input)).Kind);
}
