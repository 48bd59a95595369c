namespace ECert.Cli;

/// <summary>
/// An output file written whole or not at all: its folder is checked (it exists and takes a file)
/// and the target is not a device or a pipe, before any work is done;
/// the bytes go to a temporary file beside it (owner-only), which is renamed into place.
/// </summary>
public sealed class PendingFile
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _committed;

    public PendingFile(FileInfo file)
    {
        _path = file.FullName;
        var folder = Path.GetDirectoryName(_path)!;
        if (!Directory.Exists(folder))
            throw new Core.ECertException(Core.ErrorKind.InvalidInput, $"folder {folder} does not exist");
        if (Directory.Exists(_path))
            throw new Core.ECertException(Core.ErrorKind.InvalidInput, $"{_path} is a folder, not a file");
        // The rename that puts the file in place would replace a device (/dev/null) or a pipe.
        Server.RegularFiles.RefuseSpecial(_path, "the output");
        _temporary = Path.Combine(folder, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        // Find out now, before a certificate is issued, whether the folder takes a file at all.
        try
        {
            using (new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Core.ECertException(Core.ErrorKind.InvalidInput, $"cannot write {_path}: {e.Message}");
        }
    }

    /// <summary>Writes the whole content to the temporary file beside the target.</summary>
    public void WriteTemporary(byte[] content)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(_temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Renames the temporary file into place.</summary>
    public void Commit()
    {
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
    }

    /// <summary>Removes what this file put in place, after a failed delivery of a set of files.</summary>
    public void DeleteTarget()
    {
        if (_committed && File.Exists(_path)) File.Delete(_path);
    }

    /// <summary>Removes the temporary file if the write did not complete.</summary>
    public void Discard()
    {
        if (File.Exists(_temporary)) File.Delete(_temporary);
    }
}
