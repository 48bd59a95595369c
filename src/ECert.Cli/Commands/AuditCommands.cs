using System.CommandLine;
using ECert.Core;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert audit verify | checkpoint | list</c>: the tamper-evident trail.</summary>
public static class AuditCommands
{
    public static Command Create()
    {
        var verify = new Command("verify", "Check every entry's hash and link and every signed checkpoint; names the first bad entry");
        verify.SetAction(parse => CommonOptions.Run(() =>
        {
            var result = CommonOptions.OpenInstance(parse).Audit.Verify();
            if (result.Intact)
            {
                Row("intact", $"entries={result.Entries}", $"checkpoints={result.Checkpoints}");
                return 0;
            }
            Row("broken", $"first-bad-entry={result.FirstBadSequence}", result.Problem);
            Console.Error.WriteLine($"ecert: the audit trail is not intact: {result.Problem}");
            return 6;
        }));

        var checkpoint = Verb("checkpoint", "Sign the trail's current hash with the audit key", [], (_, instance) =>
        {
            var signed = instance.Audit.Checkpoint() ?? throw ECertException.NotFound("the audit trail is empty");
            Row(signed.Sequence, Convert.ToHexString(signed.Hash), signed.KeyId);
        });

        var from = WithDefault("--from", "First entry to list", 1L);
        var list = new Command("list", "Entries: sequence, time, role, actor, action, subject, outlet, purpose, outcome, detail");
        list.Options.Add(from);
        list.SetAction(parse => CommonOptions.Run(() =>
        {
            foreach (var entry in CommonOptions.OpenInstance(parse).Audit.Entries(parse.GetValue(from)))
                Row(entry.Sequence, entry.At, entry.Event.ActorRole, entry.Event.ActorId, entry.Event.Action, entry.Event.Subject,
                    entry.Event.Outlet, entry.Event.Purpose, entry.Event.Outcome, entry.Event.Detail);
            return 0;
        }));
        return Group("audit", "The tamper-evident audit trail", verify, checkpoint, list);
    }
}
