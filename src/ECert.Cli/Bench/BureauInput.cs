using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ECert.Core.Identity;

namespace ECert.Cli.Bench;

/// <summary>
/// The bureau's input for bulk issuance: JSON Lines, one smart ID card a line. Generating a fresh
/// key for each of a million records would take longer than issuing them, so the subscriber keys
/// come from a pool of pre-generated P-256 keys reused across records (the CA signs with its own
/// key either way; the subscriber key only changes the SubjectPublicKeyInfo bytes). Identity card
/// numbers are synthetic with a valid check digit.
/// </summary>
internal static class BureauInput
{
    public const int KeyPool = 1_000;

    private static readonly string[] Surnames = ["CHAN", "WONG", "LEE", "CHEUNG", "LAU", "NG", "HO", "LEUNG", "LAM", "TSANG", "YEUNG", "CHOW"];
    private static readonly string[] GivenNames = ["Tai Man", "Siu Ming", "Ka Yan", "Wing Sze", "Chi Keung", "Mei Ling", "Kwok Wai", "Hoi Yee", "Ka Ho"];

    /// <summary>A valid identity card number for record <paramref name="i"/>: a letter, six digits and the computed check digit.</summary>
    public static string IdentityNumber(long i)
    {
        var prefix = ((char)('A' + (int)(i % 26))).ToString();
        var digits = (i / 26 % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        return $"{prefix}{digits}({HkIdentityNumber.ComputeCheckDigit(prefix, digits)})";
    }

    public static void Write(string path, int count)
    {
        var keys = new string[Math.Min(KeyPool, count)];
        Parallel.For(0, keys.Length, k =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            keys[k] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        });
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new Utf8JsonWriter(stream);
        var newline = "\n"u8.ToArray();
        for (var i = 0; i < count; i++)
        {
            writer.Reset(stream);
            writer.WriteStartObject();
            writer.WriteString("cardNumber", "SC" + i.ToString("D10", CultureInfo.InvariantCulture));
            writer.WriteString("name", $"{Surnames[i % Surnames.Length]} {GivenNames[i / Surnames.Length % GivenNames.Length]}");
            writer.WriteString("idNumber", IdentityNumber(i));
            if (i % 2 == 0) writer.WriteString("email", $"card{i}@example.com");
            writer.WriteString("publicKey", keys[i % keys.Length]);
            writer.WriteEndObject();
            writer.Flush();
            stream.Write(newline);
        }
    }
}
