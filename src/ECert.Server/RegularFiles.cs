using System.Runtime.InteropServices;
using ECert.Core;

namespace ECert.Server;

/// <summary>
/// Files the operator names (bulk input and output, a CSR, a tariff) must be regular files: a
/// device, a pipe or a socket would be read forever (<c>/dev/zero</c>), block (a FIFO), or be
/// replaced by a rename (<c>/dev/null</c>). .NET does not expose a file's type on Unix, so this
/// asks the kernel with statx(2), whose layout is the same on every Linux architecture.
/// </summary>
public static class RegularFiles
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, u16 mode
    private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    /// <summary>Refuses <paramref name="path"/> if it exists and is not a regular file (symbolic links are followed).</summary>
    public static void RefuseSpecial(string path, string what)
    {
        var kind = Kind(path);
        if (kind is null or Regular) return;
        throw ECertException.Invalid(kind == Directory
            ? $"{what} {path} is a directory; give a file"
            : $"{what} {path} is a device, a pipe or a socket; give a regular file");
    }

    /// <returns>The S_IFMT bits, or null when the file does not exist or the kernel cannot say.</returns>
    private static int? Kind(string path)
    {
        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // not Linux: the checks that follow (existence, size) still apply
        }
        return BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask;
    }
}
