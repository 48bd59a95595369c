namespace ECert.Cli;

/// <summary>
/// An output file written whole or not at all: its folder is checked before any work is done,
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
        _temporary = Path.Combine(folder, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
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
