using System.CommandLine;
using System.Globalization;
using ECert.Core;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert crl</c>: issue every CRL now (full and partitions of each issuing CA), or those of one
/// CA (<c>--ca</c>), or only full CRLs (<c>--full-only</c>); one line per CRL on stdout, then the
/// process's peak memory on stderr (for benchmarks).
/// </summary>
public static class CrlCommand
{
    public static Command Create()
    {
        var ca = new Option<string?>("--ca") { Description = "Only this issuing CA's CRLs (e.g. personal-g1)" };
        var fullOnly = new Option<bool>("--full-only") { Description = "Only full CRLs; partition CRLs stay as they are until their nextUpdate" };
        var command = new Command("crl", "Regenerate all CRLs now") { ca, fullOnly };
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            var instance = CommonOptions.OpenInstance(parse);
            var publisher = instance.CrlPublisher();
            var issuing = instance.Cas.ListCas().Where(c => c.Role != Core.Stores.CaRole.Root).ToList();
            var cas = parse.GetValue(ca) is { } slug
                ? issuing.Where(c => c.Slug == slug).ToList() is { Count: 1 } one ? one
                    : throw ECertException.NotFound($"there is no issuing CA '{slug}'; the issuing CAs are {string.Join(", ", issuing.Select(c => c.Slug))}")
                : issuing;
            foreach (var report in cas.SelectMany(c => publisher.Publish(c, parse.GetValue(fullOnly))))
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
