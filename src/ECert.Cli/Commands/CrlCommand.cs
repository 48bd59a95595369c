using System.CommandLine;
using System.Globalization;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert crl</c>: issue every CRL now (full and partitions of each issuing CA); one line per CRL
/// on stdout, then the process's peak memory on stderr (for benchmarks).
/// </summary>
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
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            Console.Error.WriteLine($"peak-working-set-bytes={process.PeakWorkingSet64}");
            return 0;
        }));
        return command;
    }
}
