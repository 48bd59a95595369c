using ECert.Core;
using ECert.Core.Identity;

namespace ECert.Core.Tests;

public class HkIdentityNumberTests
{
    [Theory]
    [InlineData("A123456(3)", "A1234563", "A123***(3)")]
    [InlineData("a1234563", "A1234563", "A123***(3)")]
    [InlineData("C668668(E)", null, null)]
    public void ValidNumbersParseToCanonicalAndMaskedForms(string input, string? canonical, string? masked)
    {
        if (canonical is null)
        {
            // 'E' is never a valid check digit: only 0-9 and A exist.
            var error = Assert.Throws<ECertException>(() => HkIdentityNumber.Parse(input));
            Assert.Equal(ErrorKind.InvalidInput, error.Kind);
            return;
        }
        var number = HkIdentityNumber.Parse(input);
        Assert.Equal(canonical, number.Canonical);
        Assert.Equal(masked, number.Masked);
    }

    [Fact]
    public void TwoLetterPrefixesUseBothLetters()
    {
        var check = HkIdentityNumber.ComputeCheckDigit("XA", "123456");
        var number = HkIdentityNumber.Parse($"XA123456({check})");
        Assert.Equal("XA", number.Prefix);
        Assert.Equal($"XA123***({check})", number.Masked);
    }

    [Fact]
    public void CheckDigitTenIsWrittenA()
    {
        // Search the first number whose check digit is A, then make sure it round-trips.
        var digits = Enumerable.Range(0, 1000).Select(i => i.ToString("D6")).First(d => HkIdentityNumber.ComputeCheckDigit("B", d) == 'A');
        Assert.Equal('A', HkIdentityNumber.Parse($"B{digits}(A)").CheckDigit);
    }

    [Fact]
    public void WrongCheckDigitIsRefusedWithoutRepeatingTheNumber()
    {
        var error = Assert.Throws<ECertException>(() => HkIdentityNumber.Parse("A123456(4)"));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("check digit does not match", error.Message);
        Assert.DoesNotContain("123456", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("123456(3)")]
    [InlineData("A12345(3)")]
    [InlineData("ABC123456(3)")]
    public void MalformedNumbersAreRefused(string input)
    {
        var error = Assert.Throws<ECertException>(() => HkIdentityNumber.Parse(input));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
    }

    [Fact]
    public void ProtectedFormIsAKeyedHashThatMatchesTheSamePersonOnly()
    {
        var key = new byte[32];
        key[0] = 1;
        var protector = new IdentityNumberProtector(key);
        var a = protector.Digest(HkIdentityNumber.Parse("A123456(3)"));
        Assert.Equal(a, protector.Digest(HkIdentityNumber.Parse("a1234563")));
        Assert.NotEqual(a, new IdentityNumberProtector(new byte[32]).Digest(HkIdentityNumber.Parse("A123456(3)")));
        var other = HkIdentityNumber.ComputeCheckDigit("A", "123457");
        Assert.NotEqual(a, protector.Digest(HkIdentityNumber.Parse($"A123457({other})")));
        var encoded = protector.EncodeExtensionValue(HkIdentityNumber.Parse("A123456(3)"));
        Assert.Equal(-1, encoded.AsSpan().IndexOf("A1234563"u8));
        Assert.Equal(-1, encoded.AsSpan().IndexOf("123456"u8));
    }
}
