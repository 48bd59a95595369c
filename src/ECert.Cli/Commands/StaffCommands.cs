using System.CommandLine;
using ECert.Core;
using ECert.Core.Access;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert staff ...</c>: people and systems with API keys, and their roles.</summary>
public static class StaffCommands
{
    public static Command Create()
    {
        var id = Required<string>("--id", "Staff id, e.g. ra-chan");
        var name = Required<string>("--name", "Name");
        var role = Required<string>("--role", string.Join(", ", Roles.All));
        var add = Verb("add", "Add a member of staff; prints id, role and the API key (shown once, only its hash is kept)", [id, name, role], (parse, instance) =>
        {
            var (member, key) = instance.StaffDirectory().Add(parse.GetValue(id)!.Trim(), parse.GetValue(name)!, parse.GetValue(role)!.Trim());
            Row(member.Id, member.Role, key);
        });
        var list = Verb("list", "Staff: id, name, role, created, active", [], (_, instance) =>
        {
            foreach (var member in instance.Staff.ListStaff()) Row(member.Id, member.Name, member.Role, member.CreatedAt, member.Active ? "active" : "inactive");
        });
        var deactivate = Verb("deactivate", "Revoke a member's API key", [id], (parse, instance) =>
        {
            if (!instance.Staff.DeactivateStaff(parse.GetValue(id)!)) throw ECertException.NotFound($"no active staff member {parse.GetValue(id)}");
            Row(parse.GetValue(id), "inactive");
        });
        var serial = Required<string>("--serial", "Serial of a certificate this CA issued to the person");
        var bind = Verb("bind-certificate", "Let a member of staff sign in to the REST API over HTTPS with a client certificate from this CA", [id, serial], (parse, instance) =>
        {
            var record = instance.Status().Get(parse.GetValue(serial)!);
            if (!instance.Staff.BindCertificate(parse.GetValue(id)!, record.SerialHex)) throw ECertException.NotFound($"no staff member {parse.GetValue(id)}");
            Row(parse.GetValue(id), record.SerialHex, "bound");
        });
        var matrix = new Command("permissions", "The permission matrix: permission, then the roles that hold it");
        matrix.SetAction(_ =>
        {
            foreach (var permission in Permissions.All.Order(StringComparer.Ordinal)) Row(permission, string.Join(',', Permissions.RolesFor(permission)));
            return 0;
        });
        return Group("staff", "Staff, roles and API keys", add, list, deactivate, bind, matrix);
    }
}
