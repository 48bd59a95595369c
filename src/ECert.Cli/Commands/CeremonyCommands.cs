using System.CommandLine;
using ECert.Core.Ceremony;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert ceremony ...</c>: CA key operations under dual control. Each verb acts as the CA officer
/// whose staff key is in ECERT_STAFF_KEY.
/// </summary>
public static class CeremonyCommands
{
    private const string StaffKeyVariable = "ECERT_STAFF_KEY";

    public static Command Create()
    {
        var operation = Required<string>("--operation", string.Join(", ", CeremonyOperations.All));
        var target = Required<string>("--target", "The root CA (root-crl), key id (destroy-key), new CA slug such as personal-g2 (create-ca), or profile (change-profile)");
        var parameters = Optional<string?>("--parameters", "For change-profile: the profile settings as JSON, e.g. {\"IssuingCa\":\"personal-g2\"}");
        var request = Verb("request", "Request a key operation (counts as the requester's approval)", [operation, target, parameters], (parse, instance) =>
            Print(instance.DualControl().Request(Officer(instance), parse.GetValue(operation)!, parse.GetValue(target)!, parse.GetValue(parameters))));

        var id = Required<string>("--id", "Ceremony id, e.g. CER-2026-0001");
        var approve = Verb("approve", "Approve a requested key operation (each CA officer once)", [id], (parse, instance) =>
            Print(instance.DualControl().Approve(Officer(instance), parse.GetValue(id)!)));
        var execute = Verb("execute", "Carry out an operation that has its approvals", [id], (parse, instance) =>
            Print(instance.DualControl().Execute(Officer(instance), parse.GetValue(id)!)));
        var list = Verb("list", "Ceremonies: id, operation, target, requested by, state, approvers", [], (_, instance) =>
        {
            foreach (var ceremony in new ECert.Storage.SqliteCeremonyStore(instance.Database).ListCeremonies()) Print(ceremony);
        });
        return Group("ceremony", "CA key operations under dual control (M of N CA officers)", request, approve, execute, list);
    }

    private static Core.Access.StaffMember Officer(Server.EcertInstance instance) =>
        instance.Staffer(Environment.GetEnvironmentVariable(StaffKeyVariable));

    private static void Print(CeremonyRequest c) =>
        Row(c.Id, c.Operation, c.Target, c.RequestedBy, c.State, string.Join(',', c.Approvers), c.ExecutedAt, c.Parameters);
}
