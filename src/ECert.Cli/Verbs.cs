using System.CommandLine;
using System.Globalization;
using ECert.Server;

namespace ECert.Cli;

/// <summary>Small helpers that keep the verb files short: options, sub-verbs and output.</summary>
public static class Verbs
{
    public static Option<T> Required<T>(string name, string description) => new(name) { Description = description, Required = true };

    public static Option<T> Optional<T>(string name, string description) => new(name) { Description = description };

    public static Option<T> WithDefault<T>(string name, string description, T value) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    /// <summary>A verb that opens the instance and runs; errors map to one line and an exit code.</summary>
    public static Command Verb(string name, string description, Option[] options, Action<ParseResult, EcertInstance> action)
    {
        var command = new Command(name, description);
        foreach (var option in options) command.Options.Add(option);
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            var instance = CommonOptions.OpenInstance(parse);
            var what = "cli." + CliAccess.PathOf(parse.CommandResult);
            // Where counter work happened goes into the trail with it.
            var outletOption = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--outlet");
            var outlet = outletOption is null ? null : parse.GetResult(outletOption)?.GetValueOrDefault<string?>();
            if (outlet is not null) instance.Actor = instance.Actor with { Outlet = outlet };
            try
            {
                action(parse, instance);
            }
            catch (Core.ECertException e)
            {
                instance.Audit.Record(new Core.Audit.AuditEvent(instance.Actor.Role, instance.Actor.Id, what, Outlet: instance.Actor.Outlet,
                    Outcome: "refused", Detail: $"{e.Kind}: {e.Message}"));
                throw;
            }
            instance.Audit.Record(new Core.Audit.AuditEvent(instance.Actor.Role, instance.Actor.Id, what, Outlet: instance.Actor.Outlet));
            return 0;
        }));
        return command;
    }

    public static Command Group(string name, string description, params Command[] verbs)
    {
        var command = new Command(name, description);
        foreach (var verb in verbs) command.Subcommands.Add(verb);
        return command;
    }

    /// <summary>One result line: tab-separated fields, "-" for an empty one.</summary>
    public static void Row(params object?[] fields) =>
        Console.WriteLine(string.Join('\t', fields.Select(Format)));

    private static string Format(object? value) => value switch
    {
        null => "-",
        DateTimeOffset instant => instant.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool flag => flag ? "yes" : "no",
        string { Length: 0 } => "-",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "-",
    };

    public static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 9000
            ? date
            : throw Core.ECertException.Invalid($"{option} '{text}' is not a date in the form 2026-11-28 (years 2000 to 9000)");

    public static string[] List(string? commaSeparated) =>
        (commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
