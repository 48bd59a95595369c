using System.CommandLine;
using System.Globalization;

namespace ECert.Cli.Commands;

/// <summary><c>ecert crl</c>: issue every CRL now (full, partitions, root); one line per CRL.</summary>
public static class CrlCommand
{
    public static Command Create()
    {
        var command = new Command("crl", "Regenerate all CRLs now");
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            foreach (var report in CommonOptions.OpenInstance(parse).CrlPublisher().PublishAll())
                Console.WriteLine(string.Join('\t',
                    report.Partition is { } p ? $"{report.CaSlug}/{p}" : report.CaSlug,
                    $"number={report.Number}", $"entries={report.Entries}", $"bytes={report.Bytes}",
                    $"ms={report.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}"));
            return 0;
        }));
        return command;
    }
}
