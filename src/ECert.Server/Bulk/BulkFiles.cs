using ECert.Core;

namespace ECert.Server.Bulk;

/// <summary>One line of a bulk input file: its number (from 1), its bytes, and the file offset just after it.</summary>
public sealed record InputLine(long Number, byte[] Bytes, long EndOffset, string? Problem);

/// <summary>
/// Reads a JSON Lines (or one-value-a-line) file from a byte offset, line by line, keeping the
/// exact offset after each line so a job can resume there. Memory is one buffer, whatever the
/// file's size; a line longer than <see cref="MaxLineBytes"/> is returned with a problem and skipped.
/// </summary>
public sealed class InputLineReader : IDisposable
{
    public const int MaxLineBytes = 128 * 1024;

    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private long _nextLine;

    public InputLineReader(string path, long offset, long nextLine)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        // A file saved by a Windows tool may start with a UTF-8 byte order mark: not part of the first record.
        if (offset == 0)
        {
            Span<byte> head = stackalloc byte[3];
            if (_stream.ReadAtLeast(head, 3, throwOnEndOfStream: false) == 3 && head.SequenceEqual(Utf8Bom)) offset = 3;
        }
        _stream.Seek(offset, SeekOrigin.Begin);
        _bufferOffset = offset;
        _nextLine = nextLine;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public long Length => _stream.Length;

    /// <summary>The next non-blank line, or null at the end of the file. Blank lines count in the numbering but are not records.</summary>
    public InputLine? Next()
    {
        while (true)
        {
            var line = ReadRaw();
            if (line is null) return null;
            if (line.Problem is not null || line.Bytes.AsSpan().Trim((byte)' ').Length > 0) return line;
        }
    }

    private InputLine? ReadRaw()
    {
        var collected = new List<byte[]>();
        var length = 0;
        var tooLong = false;
        while (true)
        {
            if (_start == _end && !Fill())
            {
                if (length == 0 && !tooLong) return null;
                return Finish(collected, length, tooLong);   // a last line without a newline
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            var take = newline >= 0 ? newline : span.Length;
            if (!tooLong && length + take <= MaxLineBytes) collected.Add(span[..take].ToArray());
            else tooLong = true;
            length += take;
            _start += take;
            if (newline >= 0)
            {
                _start++;
                return Finish(collected, length, tooLong);
            }
        }
    }

    private InputLine Finish(List<byte[]> parts, int length, bool tooLong)
    {
        var number = _nextLine++;
        var end = _bufferOffset + _start;
        if (tooLong) return new InputLine(number, [], end, $"the line is longer than {MaxLineBytes} bytes");
        var bytes = parts.Count == 1 ? parts[0] : parts.SelectMany(p => p).ToArray();
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        return new InputLine(number, bytes, end, null);
    }

    private bool Fill()
    {
        _bufferOffset += _end;
        _start = _end = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        return _end > 0;
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>
/// An output or reject file that a job appends to and cuts back to its last checkpoint when it
/// resumes. <see cref="Sync"/> makes the appended lines durable before the checkpoint naming them commits.
/// </summary>
public sealed class CheckpointedFile : IDisposable
{
    private readonly FileStream _stream;

    public CheckpointedFile(string path, long checkpointLength)
    {
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        if (_stream.Length < checkpointLength)
        {
            _stream.Dispose();
            throw ECertException.Conflict($"{path} has {new FileInfo(path).Length} bytes but the job had written {checkpointLength}; it was changed outside the job, so the job cannot resume. Put the job's file back, or start a new job with another --out and --rejects");
        }
        // Lines written after the last checkpoint belong to a batch that never committed: drop them.
        _stream.SetLength(checkpointLength);
        _stream.Seek(checkpointLength, SeekOrigin.Begin);
    }

    public long Length => _stream.Position;

    public void Append(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    public void Sync() => _stream.Flush(flushToDisk: true);

    public void Dispose() => _stream.Dispose();
}
