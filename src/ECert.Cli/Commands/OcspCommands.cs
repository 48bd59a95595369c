using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert ocsp presign</c>: signs every missing or expiring OCSP response now, on every core, so a
/// responder started after a bulk issuance serves from the store at once instead of signing in the
/// background while it answers. The server does the same work itself, one thread at a time.
/// </summary>
public static class OcspCommands
{
    private static readonly Option<int> Threads = new("--threads") { Description = "Signing threads (default: every core)" };

    public static Command Create()
    {
        var ocsp = new Command("ocsp", "OCSP responder maintenance");
        var presign = new Command("presign", "Sign every missing or expiring pre-signed OCSP response now");
        presign.Options.Add(Threads);
        presign.SetAction(parse => CommonOptions.Run(() =>
        {
            var instance = CommonOptions.OpenInstance(parse);
            var presigner = instance.OcspPresigner(instance.OcspResponder());
            var threads = parse.GetValue(Threads) is > 0 and var t ? t : Environment.ProcessorCount;
            var clock = Stopwatch.StartNew();
            long signed = 0, stored = 0;
            var lastReport = TimeSpan.Zero;
            while (true)
            {
                var report = presigner.RefreshSome(2_000, threads);
                signed += report.Signed;
                stored += report.Stored;
                if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(2))
                {
                    lastReport = clock.Elapsed;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ocsp presign: {stored} responses signed, {stored / clock.Elapsed.TotalSeconds:0}/s"));
                }
                if (report.CycleFinished) break;
            }
            Console.WriteLine($"signed\t{signed}");
            Console.WriteLine($"stored\t{stored}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds\t{clock.Elapsed.TotalSeconds:0.00}"));
            return 0;
        }));
        ocsp.Subcommands.Add(presign);
        return ocsp;
    }
}
