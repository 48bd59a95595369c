using System.CommandLine;
using ECert.Core.Service;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert outlet ...</c> and <c>ecert officer ...</c>: the outlet directory, hours, closures and RA officers.</summary>
public static class OutletCommands
{
    public static Command Outlet()
    {
        var code = Required<string>("--code", "Outlet code, e.g. GPO");
        var name = Required<string>("--name", "Outlet name");
        var address = Required<string>("--address", "Street address");
        var district = Required<string>("--district", "District");
        var services = Optional<string?>("--services", $"Comma-separated: {string.Join(", ", ServiceOutlet.KnownServices)}");
        var hours = Optional<string[]>("--hours", "Opening period, repeatable: 'Mon 09:00-17:00'");
        var add = Verb("add", "Add or update an outlet", [code, name, address, district, services, hours], (parse, instance) =>
        {
            var outlet = new ServiceOutlet
            {
                Code = parse.GetValue(code)!.Trim(), Name = parse.GetValue(name)!.Trim(), Address = parse.GetValue(address)!.Trim(),
                District = parse.GetValue(district)!.Trim(), Services = List(parse.GetValue(services)),
                Hours = (parse.GetValue(hours) ?? []).Select(OpeningPeriod.Parse).ToList(),
            };
            outlet.Validate();
            instance.Outlets.SaveOutlet(outlet);
            Row(outlet.Code, outlet.Name, outlet.HoursText);
        });

        var list = Verb("list", "List outlets: code, name, district, services, hours", [], (_, instance) =>
        {
            foreach (var outlet in instance.Outlets.ListOutlets())
                Row(outlet.Code, outlet.Name, outlet.District, string.Join(',', outlet.Services), outlet.HoursText);
        });

        var closeCode = Required<string>("--code", "Outlet code");
        var date = Required<string>("--date", "Date closed, e.g. 2026-12-25");
        var reason = Required<string>("--reason", "Why, e.g. Christmas Day");
        var close = Verb("close", "Record a dated closure (public holiday, typhoon)", [closeCode, date, reason], (parse, instance) =>
        {
            var outlet = instance.Outlets.FindOutlet(parse.GetValue(closeCode)!) ?? throw Core.ECertException.NotFound($"no outlet {parse.GetValue(closeCode)}");
            var closure = new OutletClosure(ParseDate(parse.GetValue(date)!, "--date"), parse.GetValue(reason)!.Trim());
            closure.Validate();
            instance.Outlets.AddClosure(outlet.Code, closure);
            Row(outlet.Code, closure.Date, closure.Reason);
        });
        return Group("outlet", "Service outlets: directory, hours and closures", add, list, close);
    }

    public static Command Officer()
    {
        var id = Required<string>("--id", "Officer id");
        var name = Required<string>("--name", "Officer name");
        var outlets = Required<string>("--outlets", "Comma-separated outlet codes the officer works at");
        var supervisor = Optional<bool>("--supervisor", "An RA supervisor (may override service hours)");
        var inactive = Optional<bool>("--inactive", "Record the officer as no longer active");
        var add = Verb("add", "Add or update an RA officer", [id, name, outlets, supervisor, inactive], (parse, instance) =>
        {
            var codes = List(parse.GetValue(outlets));
            foreach (var code in codes)
                if (instance.Outlets.FindOutlet(code) is null) throw Core.ECertException.NotFound($"no outlet {code}");
            var officer = new RaOfficer(parse.GetValue(id)!.Trim(), parse.GetValue(name)!.Trim(), parse.GetValue(supervisor), codes, !parse.GetValue(inactive));
            officer.Validate();
            instance.Outlets.SaveOfficer(officer);
            Row(officer.Id, officer.Name, officer.IsSupervisor ? "supervisor" : "officer", string.Join(',', officer.Outlets), officer.Active ? "active" : "inactive");
        });
        var list = Verb("list", "List RA officers", [], (_, instance) =>
        {
            foreach (var officer in instance.Outlets.ListOfficers())
                Row(officer.Id, officer.Name, officer.IsSupervisor ? "supervisor" : "officer", string.Join(',', officer.Outlets), officer.Active ? "active" : "inactive");
        });
        return Group("officer", "RA officers and supervisors", add, list);
    }
}
