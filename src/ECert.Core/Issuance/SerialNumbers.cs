using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace ECert.Core.Issuance;

/// <summary>
/// Certificate serial numbers: 16 octets from the CSPRNG with the top two bits fixed to 01, so
/// every serial is positive, exactly 16 octets long and carries 126 random bits (the Baseline
/// Requirements ask at least 64; RFC 5280 allows at most 20 octets). Uniqueness is enforced by the store.
/// Written as upper-case hex without separators, as OpenSSL prints them.
/// </summary>
public static class SerialNumbers
{
    public const int Length = 16;

    public static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(Length);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
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
        if (cleaned.Length == 0 || cleaned.Length > 42 || !cleaned.All(char.IsAsciiHexDigit))
            throw ECertException.Invalid($"serial '{text}' is not a hexadecimal certificate serial number");
        var value = BigInteger.Parse("0" + cleaned, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (value.IsZero) throw ECertException.Invalid("serial 0 is never issued");
        return Convert.ToHexString(value.ToByteArray(isUnsigned: false, isBigEndian: true));
    }
}
