using System.Runtime.InteropServices;
using ECert.Core;

namespace ECert.Server;

/// <summary>
/// Files the operator names (bulk input and output, a CSR, a tariff) must be regular files: a
/// device, a pipe or a socket would be read forever (<c>/dev/zero</c>), block (a FIFO), or be
/// replaced by a rename (<c>/dev/null</c>). .NET does not expose a file's type or identity on
/// Unix, so this asks the kernel with statx(2), whose layout is the same on every Linux architecture.
/// </summary>
public static class RegularFiles
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1, StatxIno = 0x100;
    // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, u16 mode,
    // u16 pad, u64 ino (32), ... u32 dev_major (136), u32 dev_minor (140).
    private const int ModeOffset = 28, InodeOffset = 32, DeviceOffset = 136;
    private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000;
    private const int NoSuchFile = 2, NotPermitted = 1, NotImplemented = 38;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    /// <summary>Refuses <paramref name="path"/> if it exists and is not a regular file (symbolic links are followed).</summary>
    public static void RefuseSpecial(string path, string what)
    {
        var kind = Stat(path, what) is { } buffer ? BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask : (int?)null;
        if (kind is null or Regular) return;
        throw ECertException.Invalid(kind == Directory
            ? $"{what} {path} is a directory; give a file"
            : $"{what} {path} is a device, a pipe or a socket; give a regular file");
    }

    /// <summary>
    /// Whether two paths may name the same file once links are followed: the same folder (by device
    /// and inode, so a symbolic link to it counts) and the same name in it, case aside.
    /// </summary>
    public static bool SameFile(string first, string second)
    {
        first = Path.GetFullPath(first);
        second = Path.GetFullPath(second);
        if (first == second) return true;
        // Names without case: on a case-insensitive disk (a USB stick, a share) Chan.p12 is chan.p12.
        if (!string.Equals(Path.GetFileName(first), Path.GetFileName(second), StringComparison.OrdinalIgnoreCase)) return false;
        var a = Stat(Path.GetDirectoryName(first)!, "the folder");
        var b = Stat(Path.GetDirectoryName(second)!, "the folder");
        return a is not null && b is not null
            && BitConverter.ToUInt64(a, InodeOffset) == BitConverter.ToUInt64(b, InodeOffset)
            && BitConverter.ToUInt64(a, DeviceOffset) == BitConverter.ToUInt64(b, DeviceOffset);
    }

    /// <returns>The statx buffer, or null when the file does not exist or the kernel will not say (not Linux, a sandbox refusing the call).</returns>
    private static byte[]? Stat(string path, string what)
    {
        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType | StatxIno, buffer) == 0) return buffer;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        var error = Marshal.GetLastPInvokeError();
        if (error is NoSuchFile or NotPermitted or NotImplemented) return null;
        // ENOTDIR (a file used as a folder, "in.jsonl/"), ELOOP, EACCES, ENAMETOOLONG: nothing can be read or written there.
        throw ECertException.Invalid($"{what} {path} cannot be used: {Marshal.GetPInvokeErrorMessage(error)}");
    }
}
