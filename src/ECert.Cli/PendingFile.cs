namespace ECert.Cli;

/// <summary>
/// An output file written whole or not at all: its folder is checked before any work is done,
/// the bytes go to a temporary file beside it (owner-only), which is renamed into place.
/// </summary>
public sealed class PendingFile
{
    private readonly string _path;
    private readonly string _temporary;

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

    public void Write(byte[] content)
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
        File.Move(_temporary, _path, overwrite: true);
    }

    /// <summary>Removes the temporary file if the write did not complete.</summary>
    public void Discard()
    {
        if (File.Exists(_temporary)) File.Delete(_temporary);
    }
}
