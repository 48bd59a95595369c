using System.CommandLine;
using ECert.Core;
using ECert.Core.Access;
using ECert.Core.Audit;
using ECert.Server;

namespace ECert.Cli;

/// <summary>
/// The permission matrix on the command line. With <c>Access.CliRequiresStaffKey</c> set in
/// ecert.json (production), every verb that opens the instance needs ECERT_STAFF_KEY, acts as that
/// member of staff, and is refused (exit 3, with an audit entry) when the role may not run it.
/// Without it (a developer's instance), the CLI acts as the operating-system user.
/// </summary>
public static class CliAccess
{
    public const string StaffKeyVariable = "ECERT_STAFF_KEY";

    /// <summary>The permission of every verb that opens an instance, by its path ("application pay").</summary>
    public static readonly IReadOnlyDictionary<string, string> VerbPermissions = new Dictionary<string, string>
    {
        ["issue"] = Permissions.CertificatesManage, ["revoke"] = Permissions.CertificatesManage, ["suspend"] = Permissions.CertificatesManage,
        ["resume"] = Permissions.CertificatesManage, ["status"] = Permissions.CertificatesRead, ["crl"] = Permissions.CrlPublish,
        ["bulk issue"] = Permissions.CertificatesManage, ["bulk revoke"] = Permissions.CertificatesManage,
        ["ocsp presign"] = Permissions.CrlPublish,
        ["outlet add"] = Permissions.OutletsManage, ["outlet close"] = Permissions.OutletsManage, ["outlet list"] = Permissions.OutletsRead,
        ["officer add"] = Permissions.OutletsManage, ["officer list"] = Permissions.OutletsRead,
        ["subscriber register-person"] = Permissions.SubscribersRegister, ["subscriber register-organisation"] = Permissions.SubscribersRegister,
        ["subscriber add-member"] = Permissions.SubscribersRegister, ["subscriber show"] = Permissions.SubscribersRead,
        ["application submit"] = Permissions.ApplicationsCounter, ["application renew"] = Permissions.ApplicationsCounter,
        ["application verify"] = Permissions.ApplicationsCounter, ["application approve"] = Permissions.ApplicationsCounter,
        ["application quote"] = Permissions.ApplicationsRead, ["application pay"] = Permissions.PaymentsTake,
        ["application issue"] = Permissions.ApplicationsCounter, ["application accept"] = Permissions.ApplicationsCounter,
        ["application withdraw"] = Permissions.ApplicationsCounter, ["application reject"] = Permissions.ApplicationsCounter,
        ["application show"] = Permissions.ApplicationsRead, ["application list"] = Permissions.ApplicationsRead,
        ["tariff list"] = Permissions.TariffsRead, ["tariff quote"] = Permissions.TariffsRead,
        ["tariff add"] = Permissions.TariffsManage, ["tariff end"] = Permissions.TariffsManage,
        ["payment subscription"] = Permissions.PaymentsTake, ["payment refund"] = Permissions.PaymentsRefund, ["payment list"] = Permissions.PaymentsRead,
        ["report revenue"] = Permissions.ReportsRead, ["report reconciliation"] = Permissions.ReportsRead,
        ["service sweep"] = Permissions.ServiceOperate, ["service notify"] = Permissions.ServiceOperate, ["demo-data"] = Permissions.ServiceOperate,
        ["request receive"] = Permissions.StatusRequests, ["request confirm-original"] = Permissions.StatusRequests,
        ["request turnaround"] = Permissions.ReportsRead,
        ["audit verify"] = Permissions.AuditRead, ["audit list"] = Permissions.AuditRead, ["audit checkpoint"] = Permissions.AuditCheckpoint,
        ["consent publish-notice"] = Permissions.ConsentNotices, ["consent give"] = Permissions.ConsentRecord,
        ["consent withdraw"] = Permissions.ConsentRecord, ["consent list"] = Permissions.ConsentRead, ["consent export"] = Permissions.CampaignExport,
        ["privacy request"] = Permissions.PrivacyRequests, ["privacy compile"] = Permissions.PrivacyRequests,
        ["privacy complete"] = Permissions.PrivacyRequests, ["privacy correct"] = Permissions.PrivacyRequests,
        ["privacy overdue"] = Permissions.PrivacyRequests, ["privacy open"] = Permissions.PrivacyRequests,
        ["retention run"] = Permissions.PrivacyRetention,
        ["staff add"] = Permissions.StaffManage, ["staff list"] = Permissions.StaffManage, ["staff deactivate"] = Permissions.StaffManage,
        ["staff bind-certificate"] = Permissions.StaffManage,
        ["ceremony request"] = Permissions.KeyCeremony, ["ceremony approve"] = Permissions.KeyCeremony,
        ["ceremony execute"] = Permissions.KeyCeremony, ["ceremony list"] = Permissions.KeyCeremony,
        ["export"] = Permissions.GovernmentExport,
        // The bench works only on scratch instances of its own, but loads the host the service runs on.
        ["bench"] = Permissions.ServiceOperate,
    };

    /// <summary>"application pay" for ./ecert application pay.</summary>
    public static string PathOf(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var node = result; node is not null && node.Command is not RootCommand; node = node.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, node.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>Checks the caller against the verb's permission when the instance requires staff keys.</summary>
    public static void Authorise(EcertInstance instance, ParseResult parse)
    {
        if (!instance.Settings.Access.CliRequiresStaffKey) return;
        var path = PathOf(parse.CommandResult);
        var member = instance.Staffer(Environment.GetEnvironmentVariable(StaffKeyVariable));
        instance.Actor = new AuditActor(member.Role, member.Id);
        var permission = VerbPermissions.TryGetValue(path, out var needed) ? needed : null;
        if (permission is not null && Permissions.Allows(member.Role, permission)) return;
        instance.Audit.Record(new AuditEvent(member.Role, member.Id, "cli." + path, Outcome: "refused",
            Detail: permission is null ? "no permission declared" : $"needs {permission}"));
        throw ECertException.Policy(permission is null
            ? $"'{path}' is not open to anyone on this instance"
            : $"role {member.Role} may not run '{path}' ({permission})");
    }
}
