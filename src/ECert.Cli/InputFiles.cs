using ECert.Core;

namespace ECert.Cli;

/// <summary>
/// A small file the operator names (a CSR, a public key, a tariff, a notice, a key): it exists, is a
/// regular file, and is read only up to a bound, so that /dev/zero is an error and not the end of memory.
/// </summary>
public static class InputFiles
{
    public static byte[] Read(FileInfo file, int maxBytes, string whatItHolds)
    {
        Server.RegularFiles.RefuseSpecial(file.FullName, "the input"); // a directory, a device, a pipe
        if (Directory.Exists(file.FullName)) throw ECertException.Invalid($"{file.FullName} is a directory, not a file"); // where statx cannot tell
        if (!file.Exists) throw ECertException.Invalid($"{file.FullName} does not exist");
        using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read);
        var buffer = new byte[maxBytes + 1];
        var read = 0;
        while (read < buffer.Length && stream.Read(buffer, read, buffer.Length - read) is var n and > 0) read += n;
        if (read > maxBytes) throw ECertException.Invalid($"{file.FullName} is larger than {whatItHolds} can be ({maxBytes} bytes)");
        return buffer[..read];
    }

    /// <summary>The same, as UTF-8 text; a file that is not UTF-8 is refused rather than read as replacement characters.</summary>
    public static string ReadText(FileInfo file, int maxBytes, string whatItHolds)
    {
        var bytes = Read(file, maxBytes, whatItHolds);
        try
        {
            return new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw ECertException.Invalid($"{file.FullName} is not UTF-8 text");
        }
    }
}
