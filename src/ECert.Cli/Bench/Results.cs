using System.Globalization;
using System.Text;

namespace ECert.Cli.Bench;

/// <summary>One row of the results table: a target, what we measured, the peer's figure, the ratio, a verdict, and the commands.</summary>
internal sealed record ResultRow(string Target, string Measured, string Peer, string Ratio, string Verdict, IReadOnlyList<string> Commands);

internal sealed class Results
{
    private readonly List<ResultRow> _rows = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<ResultRow> Rows => _rows;

    public void Add(ResultRow row) => _rows.Add(row);

    public void Note(string note) => _notes.Add(note);

    public static string Ratio(double ours, double theirs) =>
        theirs > 0 && ours > 0 && !double.IsNaN(ours) && !double.IsNaN(theirs) ? (ours / theirs).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    public static string Verdict(bool? pass) => pass switch { true => "pass", false => "FAIL", null => "n/a" };

    public static string N(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);

    public string Markdown(string heading)
    {
        var text = new StringBuilder();
        text.Append(heading).Append("\n\n");
        text.Append("| target | measured | peer / reference | ratio | verdict | command(s) |\n");
        text.Append("|---|---|---|---|---|---|\n");
        foreach (var row in _rows)
            text.Append("| ").Append(Cell(row.Target)).Append(" | ").Append(Cell(row.Measured)).Append(" | ").Append(Cell(row.Peer))
                .Append(" | ").Append(Cell(row.Ratio)).Append(" | ").Append(Cell(row.Verdict)).Append(" | ")
                .Append(string.Join("<br>", row.Commands.Select(c => "`" + c.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal) + "`")))
                .Append(" |\n");
        if (_notes.Count > 0)
        {
            text.Append("\nNotes:\n\n");
            foreach (var note in _notes) text.Append("- ").Append(note).Append('\n');
        }
        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
