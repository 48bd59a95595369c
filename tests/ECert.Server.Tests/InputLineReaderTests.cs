using System.Text;
using ECert.Server.Bulk;

namespace ECert.Server.Tests;

/// <summary>The bulk input reader: line numbers, exact offsets to resume from, and the shapes real files come in.</summary>
public class InputLineReaderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "ecert-lines-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => File.Delete(_path);

    private List<InputLine> ReadAll(long offset = 0, long nextLine = 1)
    {
        using var reader = new InputLineReader(_path, offset, nextLine);
        var lines = new List<InputLine>();
        while (reader.Next() is { } line) lines.Add(line);
        return lines;
    }

    [Fact]
    public void ByteOrderMarkCrlfBlankLinesAndAMissingFinalNewlineAreHandled()
    {
        File.WriteAllBytes(_path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"a\":1}\r\n\r\n  \n{\"b\":\"中\"}")]);
        var lines = ReadAll();
        Assert.Equal([1L, 4L], lines.Select(l => l.Number));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(lines[0].Bytes));
        Assert.Equal("{\"b\":\"中\"}", Encoding.UTF8.GetString(lines[1].Bytes));
        Assert.Equal(new FileInfo(_path).Length, lines[1].EndOffset);
    }

    [Fact]
    public void ReadingFromAnOffsetResumesAtTheNextLine()
    {
        File.WriteAllText(_path, "one\ntwo\nthree\n");
        var all = ReadAll();
        var resumed = ReadAll(all[0].EndOffset, all[0].Number + 1);
        Assert.Equal(["two", "three"], resumed.Select(l => Encoding.UTF8.GetString(l.Bytes)));
        Assert.Equal([2L, 3L], resumed.Select(l => l.Number));
    }

    [Fact]
    public void AnOverlongLineIsReportedAndTheNextOneIsStillRead()
    {
        File.WriteAllText(_path, new string('x', InputLineReader.MaxLineBytes + 10) + "\nshort\n");
        var lines = ReadAll();
        Assert.Equal(2, lines.Count);
        Assert.Contains("longer than", lines[0].Problem);
        Assert.Equal("short", Encoding.UTF8.GetString(lines[1].Bytes));
    }
}
