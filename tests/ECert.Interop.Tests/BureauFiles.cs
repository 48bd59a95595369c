using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ECert.Core.Identity;

namespace ECert.Interop.Tests;

/// <summary>Card personalisation bureau files for tests: valid records over a small pool of P-256 keys, and chosen bad lines.</summary>
public static class BureauFiles
{
    public static string CardNumber(int index) => $"HK{index:D9}";

    public static string IdNumber(int index)
    {
        var digits = (index % 1_000_000).ToString("D6");
        return $"Z{digits}({HkIdentityNumber.ComputeCheckDigit("Z", digits)})";
    }

    /// <summary>
    /// Writes <paramref name="records"/> lines; <paramref name="badLines"/> maps a line number (from 1) to the text written there
    /// instead, and <paramref name="repeatCardOf"/> a line number to an earlier line whose card number its (otherwise valid) record repeats.
    /// </summary>
    public static void Write(string path, int records, IReadOnlyDictionary<int, string>? badLines = null, IReadOnlyDictionary<int, int>? repeatCardOf = null)
    {
        var keys = Enumerable.Range(0, 8).Select(_ =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        }).ToArray();
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        for (var line = 1; line <= records; line++)
        {
            if (badLines is not null && badLines.TryGetValue(line, out var bad))
            {
                writer.Write(bad + "\n");
                continue;
            }
            writer.Write(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["cardNumber"] = CardNumber(repeatCardOf is not null && repeatCardOf.TryGetValue(line, out var first) ? first : line), ["name"] = $"CHAN Tai Man {line}", ["idNumber"] = IdNumber(line), ["publicKey"] = keys[line % keys.Length],
            }) + "\n");
        }
    }
}
