using System.Security.Cryptography;

namespace ECert.Cli;

/// <summary>
/// The PIN that protects a centrally generated PKCS#12, mailed separately in a PIN envelope:
/// 12 characters from an alphabet without look-alikes (about 60 bits), written in groups of four.
/// The hyphens are part of the PIN, so what is printed is exactly what is typed.
/// </summary>
public static class PinEnvelope
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string NewPin()
    {
        var characters = RandomNumberGenerator.GetItems<char>(Alphabet, 12);
        return $"{new string(characters, 0, 4)}-{new string(characters, 4, 4)}-{new string(characters, 8, 4)}";
    }
}
