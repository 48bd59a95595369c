using System.CommandLine;
using System.Text.Json;
using ECert.Core;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert consent ...</c>: collection notices, opt-in consents, withdrawals, campaign exports.</summary>
public static class ConsentCommands
{
    public static Command Create()
    {
        var version = Required<string>("--version", "Notice version, e.g. PICS-2026-1");
        var text = Required<FileInfo>("--text-file", "The notice's text as shown to people");
        var classes = Required<string>("--classes", "Comma-separated classes of value-added service it asks consent for");
        var kinds = Required<string>("--kinds", "Comma-separated data kinds: name, chinese-name, contact-email, postal-address");
        var publish = Verb("publish-notice", "Publish a Personal Information Collection Statement version", [version, text, classes, kinds], (parse, instance) =>
        {
            var noticeText = InputFiles.ReadText(parse.GetValue(text)!, 4 * Core.Privacy.ConsentRegister.MaxNoticeLength, "a collection notice");
            var notice = instance.ConsentRegister().PublishNotice(parse.GetValue(version)!, noticeText,
                List(parse.GetValue(classes)), List(parse.GetValue(kinds)));
            Row(notice.Version, notice.TextSha256, string.Join(',', notice.ServiceClasses), string.Join(',', notice.DataKinds));
        });

        var srn = Required<string>("--srn", "Subscriber Reference Number");
        var serviceClass = Required<string>("--class", "Class of value-added service");
        var given = Required<string>("--kinds", "Comma-separated data kinds the person agreed to");
        var notice = Required<string>("--notice", "The notice version the person was shown");
        var channel = Required<string>("--channel", "counter, online or paper-form");
        var optIn = Optional<bool>("--opt-in", "The person actively opted in (required: silence is not consent)");
        var give = Verb("give", "Record an opt-in consent", [srn, serviceClass, given, notice, channel, optIn], (parse, instance) =>
        {
            var consent = instance.ConsentRegister().Give(parse.GetValue(srn)!, parse.GetValue(serviceClass)!, List(parse.GetValue(given)),
                parse.GetValue(notice)!, parse.GetValue(channel)!, parse.GetValue(optIn));
            Row(consent.Id, consent.Srn, consent.ServiceClass, string.Join(',', consent.DataKinds), consent.NoticeVersion, consent.GivenAt);
        });

        var withdraw = Verb("withdraw", "Withdraw a consent; effective at once, free of charge", [srn, serviceClass, channel], (parse, instance) =>
        {
            instance.ConsentRegister().Withdraw(parse.GetValue(srn)!, parse.GetValue(serviceClass)!, parse.GetValue(channel)!);
            Row(parse.GetValue(srn), parse.GetValue(serviceClass), "withdrawn");
        });

        var list = Verb("list", "A subscriber's consents, active and withdrawn", [srn], (parse, instance) =>
        {
            foreach (var c in instance.ConsentRegister().For(parse.GetValue(srn)!))
                Row(c.Id, c.ServiceClass, string.Join(',', c.DataKinds), c.NoticeVersion, c.Channel, c.GivenAt, c.WithdrawnAt, c.WithdrawnChannel);
        });

        var output = Required<FileInfo>("--out", "Where to write the campaign list (JSON Lines)");
        var export = Verb("export", "The campaign list of a class: only active consents, only consented fields (recorded in the audit trail)",
            [serviceClass, output], (parse, instance) =>
            {
                var records = instance.ConsentRegister().CampaignExport(parse.GetValue(serviceClass)!, instance.Actor with { Purpose = "direct-marketing" });
                var file = new PendingFile(parse.GetValue(output)!);
                file.WriteTemporary(System.Text.Encoding.UTF8.GetBytes(string.Concat(records.Select(r =>
                    JsonSerializer.Serialize(new { srn = r.Srn, fields = r.Fields }) + "\n"))));
                file.Commit();
                Row(parse.GetValue(serviceClass), records.Count, parse.GetValue(output)!.FullName);
            });
        return Group("consent", "The consent register for value-added services", publish, give, withdraw, list, export);
    }
}
