using ECert.Core.Access;
using ECert.Core;
using ECert.Core.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Api;

/// <summary><c>/api/outlets</c> and <c>/api/officers</c>: the outlet directory, hours, closures, RA officers.</summary>
public static class OutletApi
{
    public sealed record OutletBody(string Code, string Name, string Address, string District, List<string>? Services = null, List<string>? Hours = null);
    public sealed record ClosureBody(string Date, string Reason);
    public sealed record OfficerBody(string Id, string Name, bool Supervisor, List<string> Outlets, bool Active = true);
    public sealed record OutletView(string Code, string Name, string Address, string District, IReadOnlyList<string> Services,
        IReadOnlyList<string> Hours, IReadOnlyList<OutletClosure> Closures);

    public static void MapOutletApi(this IEndpointRouteBuilder app)
    {
        var outlets = app.MapGroup("/api/outlets").WithTags("Outlets").WithProblems();
        outlets.MapGet("/", (EcertInstance instance) => instance.Outlets.ListOutlets().Select(View)).Requires(Permissions.OutletsRead);
        outlets.MapGet("/{code}", (string code, EcertInstance instance) =>
            View(instance.Outlets.FindOutlet(code) ?? throw ECertException.NotFound($"no outlet {code}"))).Requires(Permissions.OutletsRead);
        outlets.MapPut("/{code}", (string code, OutletBody body, EcertInstance instance) =>
        {
            if (body.Code != code) throw ECertException.Invalid($"the body names outlet '{body.Code}' but the URL names '{code}'");
            var outlet = new ServiceOutlet
            {
                Code = body.Code.Trim(), Name = body.Name?.Trim() ?? "", Address = body.Address?.Trim() ?? "", District = body.District?.Trim() ?? "",
                Services = body.Services ?? [], Hours = (body.Hours ?? []).Select(OpeningPeriod.Parse).ToList(),
            };
            outlet.Validate();
            instance.Outlets.SaveOutlet(outlet);
            return View(instance.Outlets.FindOutlet(outlet.Code)!);
        }).Requires(Permissions.OutletsManage);
        outlets.MapPost("/{code}/closures", (string code, ClosureBody body, EcertInstance instance) =>
        {
            var outlet = instance.Outlets.FindOutlet(code) ?? throw ECertException.NotFound($"no outlet {code}");
            if (!DateOnly.TryParseExact(body.Date ?? "", "yyyy-MM-dd", out var date))
                throw ECertException.Invalid($"date '{body.Date}' is not in the form 2026-12-25");
            var closure = new OutletClosure(date, body.Reason.Trim());
            closure.Validate();
            instance.Outlets.AddClosure(outlet.Code, closure);
            return TypedResults.Created($"/api/outlets/{outlet.Code}", View(instance.Outlets.FindOutlet(outlet.Code)!));
        }).Requires(Permissions.OutletsManage);

        var officers = app.MapGroup("/api/officers").WithTags("Outlets").WithProblems();
        officers.MapGet("/", (EcertInstance instance) => instance.Outlets.ListOfficers()).Requires(Permissions.OutletsRead);
        officers.MapPut("/{id}", (string id, OfficerBody body, EcertInstance instance) =>
        {
            if (body.Id != id) throw ECertException.Invalid($"the body names officer '{body.Id}' but the URL names '{id}'");
            if (string.IsNullOrWhiteSpace(body.Name)) throw ECertException.Invalid("an officer needs a name");
            foreach (var code in body.Outlets ?? [])
                if (instance.Outlets.FindOutlet(code) is null) throw ECertException.NotFound($"no outlet {code}");
            var officer = new RaOfficer(body.Id.Trim(), body.Name.Trim(), body.Supervisor, body.Outlets ?? [], body.Active);
            officer.Validate();
            instance.Outlets.SaveOfficer(officer);
            return officer;
        }).Requires(Permissions.OutletsManage);
    }

    private static OutletView View(ServiceOutlet outlet) =>
        new(outlet.Code, outlet.Name, outlet.Address, outlet.District, outlet.Services, outlet.Hours.Select(h => h.ToString()).ToList(), outlet.Closures);
}
