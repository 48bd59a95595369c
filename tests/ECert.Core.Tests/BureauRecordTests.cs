using System.Security.Cryptography;
using System.Text;
using ECert.Core.Bulk;

namespace ECert.Core.Tests;

/// <summary>A bureau record is read field by field; every malformed line gets its own message for the reject file.</summary>
public class BureauRecordTests
{
    private static readonly string Key = Convert.ToBase64String(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo());

    private static BureauRecord Parse(string json) => BureauRecord.Parse(Encoding.UTF8.GetBytes(json));

    private static string Refusal(string json) => Assert.Throws<ECertException>(() => Parse(json)).Message;

    [Fact]
    public void AGoodRecordGivesEveryField()
    {
        var record = Parse($$"""{"cardNumber": " SC-0001 ", "name": "陳大文", "idNumber": "A123456(3)", "email": null, "publicKey": "{{Key}}"}""");
        Assert.Equal(("SC-0001", "陳大文", "A1234563", null), (record.CardNumber, record.Name, record.IdNumber.Canonical, record.Email));
        Assert.Equal(Key, Convert.ToBase64String(record.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    [Theory]
    [InlineData("""["a"]""", "the line is a JSON array, not an object")]
    [InlineData("\"text\"", "the line is a JSON string, not an object")]
    [InlineData("""{"cardNumber": "SC1", "name": 5, "colour": "red"}""", "unknown field 'colour'")]
    [InlineData("""{"cardNumber": "SC1", "cardNumber": "SC2"}""", "cardNumber appears twice")]
    [InlineData("""{"cardNumber": 12}""", "cardNumber must be a string, not a JSON number")]
    [InlineData("""{"cardNumber": "SC1", "name": {"first": "Tai Man"}}""", "name must be a string, not a JSON object")]
    [InlineData("""{"cardNumber": "  "}""", "cardNumber is empty")]
    [InlineData("""{"name": "CHAN Tai Man"}""", "the record has no cardNumber")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)"}""", "neither publicKey nor csr")]
    [InlineData("""{"cardNumber": "SC1"} {"cardNumber": "SC2"}""", "not valid JSON")]
    [InlineData("""{"cardNumber": "SC1" """, "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("""{"cardNumber": "SC1", "name": "\u200b"}""", "contains U+200B, an invisible")]
    [InlineData("""{"cardNumber": "SC1", "name": "\u202eNAHC"}""", "contains U+202E, an invisible")]
    [InlineData("""{"cardNumber": "SC1", "name": "\ufeffCHAN"}""", "contains U+FEFF, an invisible")]
    [InlineData("""{"cardNumber": "SC1", "name": "\ue000"}""", "contains U+E000, a private-use character; use the character's standard Unicode code point")]
    [InlineData("""{"cardNumber": "SC1", "name": "12345 -"}""", "name has no letter")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN\u00adTai Man"}""", "contains U+00AD, an invisible character")]
    [InlineData("""{"cardNumber": "SC1", "name": "\u3164"}""", "contains U+3164, an invisible character")] // a Hangul filler: a "letter" drawn as nothing
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN\u2028Tai Man"}""", "contains U+2028, an invisible character")]
    [InlineData("""{"cardNumber": "SC1", "name": "\u034fCHAN"}""", "contains U+034F, an invisible character")]
    [InlineData("""{"cardNumber": "SC1", "name": "\ufe00CHAN"}""", "contains U+FE00, an invisible character")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN\ufe00 TAI MAN"}""", "contains U+FE00, an invisible character")] // after a Latin letter
    [InlineData("""{"cardNumber": "SC1", "name": "陳\ufe00\ufe00大文"}""", "contains U+FE00, an invisible character")] // a second selector
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)", "email": "a..b@example.com"}""", "is not an e-mail address")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)", "email": ".a@example.com"}""", "is not an e-mail address")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)", "email": "a<b>@example.com"}""", "is not an e-mail address")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)", "email": "a,b;c@example.com"}""", "is not an e-mail address")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)", "email": "a@1.2"}""", "is not an e-mail address")]
    [InlineData("""{"cardNumber": "SC1", "name": "CHAN Tai Man", "idNumber": "A123456(3)", "email": "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.hk"}""", "is not an e-mail address")]
    public void AMalformedRecordIsRefusedWithWhatIsWrong(string json, string message)
    {
        Assert.Contains(message, Refusal(json));
    }

    [Theory]
    [InlineData("陳\U0002000B文")] // an HKSCS character in CJK Extension B, outside the BMP
    [InlineData("O'BRIEN Mary-Jane")]
    [InlineData("葛\U000E0100大文")] // an ideographic variation selector after its character
    [InlineData("CHAN Tai Man 陳大文")]
    public void NamesInAnyScriptAreAccepted(string name)
    {
        var record = Parse($$"""{"cardNumber": "SC1", "name": "{{name}}", "idNumber": "A123456(3)", "publicKey": "{{Key}}"}""");
        Assert.Equal(name, record.Name);
    }

    [Theory]
    [InlineData("chan.tai-man+cards@post.example.hk")]
    [InlineData("o'brien@example.com")]
    [InlineData("x@example.xn--j6w193g")]
    [InlineData("X@EXAMPLE.XN--J6W193G")]
    public void CommonMailboxesAreAccepted(string email)
    {
        var record = Parse($$"""{"cardNumber": "SC1", "name": "陳大文 CHAN Tai Man", "idNumber": "A123456(3)", "email": "{{email}}", "publicKey": "{{Key}}"}""");
        Assert.Equal(email, record.Email);
    }

    [Fact]
    public void AStringThatIsNotUnicodeTextIsARefusedRecordNotAFault()
    {
        // The reader checks a string's bytes only when it is read: a bad one must still be a refusal
        // with its line in the reject file, never an error that stops the whole job.
        var invalidUtf8 = Encoding.UTF8.GetBytes("""{"cardNumber": "SC1", "name": "CHAN X"}""");
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)'X')] = 0xFF;
        foreach (var line in new[] { invalidUtf8, Encoding.UTF8.GetBytes("""{"cardNumber": "SC1", "name": "\ud800"}""") })
        {
            Assert.Contains("not valid JSON: a string is not valid UTF-8 text", Assert.Throws<ECertException>(() => BureauRecord.Parse(line)).Message);
            Assert.Equal("SC1", BureauRecord.TryReadCardNumber(line));
        }
        Assert.Null(BureauRecord.TryReadCardNumber(Encoding.UTF8.GetBytes("""{"cardNumber": "\ud800"}""")));
    }
}
