using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace ECert.Core.Issuance;

/// <summary>
/// Certificate serial numbers: 16 octets, the first 6 the issuing moment in milliseconds since the
/// Unix epoch (big-endian), the other 10 from the CSPRNG. Every serial is positive (the first octet
/// is 0x01 to 0x7F from 2004 to the year 6429), exactly 16 octets long and carries 80 random bits:
/// the Baseline Requirements (7.1) ask for at least 64 bits from a CSPRNG and a non-sequential
/// serial; RFC 5280 allows at most 20 octets. The moment leaks nothing the certificate's notBefore
/// does not already say, and it keeps the store's serial index growing at one end: random serials
/// put every insert on a different index page, which made each stored certificate write about
/// 4 KB to the database's log (see docs/benchmarks.md). Uniqueness is enforced by the store.
/// Written as upper-case hex without separators, as OpenSSL prints them.
/// </summary>
public static class SerialNumbers
{
    public const int Length = 16;
    public const int RandomOctets = 10;
    private const int MomentOctets = Length - RandomOctets;

    public static byte[] NewSerial()
    {
        var serial = new byte[Length];
        var moment = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = MomentOctets - 1; i >= 0; i--, moment >>= 8) serial[i] = (byte)moment;
        RandomNumberGenerator.Fill(serial.AsSpan(MomentOctets));
        return serial;
    }

    public static string ToHex(ReadOnlySpan<byte> serial) => Convert.ToHexString(serial);

    /// <summary>
    /// Accepts hex as people paste it (any case, optional 0x, colons or spaces) and returns the
    /// canonical form: the minimal positive DER INTEGER content in upper-case hex.
    /// </summary>
    public static string Normalize(string text)
    {
        var cleaned = (text ?? "").Trim();
        if (cleaned.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) cleaned = cleaned[2..];
        cleaned = cleaned.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (cleaned.Length == 0 || !cleaned.All(char.IsAsciiHexDigit))
            throw ECertException.Invalid($"serial '{text}' is not a hexadecimal certificate serial number");
        if (cleaned.TrimStart('0').Length > 40)
            throw ECertException.Invalid($"serial '{text}' is longer than a certificate serial can be (20 octets, 40 hexadecimal digits)");
        if (cleaned.Length > 80)
            throw ECertException.Invalid($"serial '{text}' has more leading zeros than a serial number is written with");
        var value = BigInteger.Parse("0" + cleaned, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (value.IsZero) throw ECertException.Invalid("serial 0 is never issued");
        return Convert.ToHexString(value.ToByteArray(isUnsigned: false, isBigEndian: true));
    }
}
