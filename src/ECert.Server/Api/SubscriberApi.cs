using ECert.Core.Access;
using ECert.Core.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Api;

/// <summary><c>/api/subscribers</c> and <c>/api/organisations</c>. Identity numbers go in, only masked forms come out.</summary>
public static class SubscriberApi
{
    public sealed record PersonBody(string Name, string IdNumber, string? ChineseName = null, string? CertificateEmail = null,
        string? ContactEmail = null, string? PostalAddress = null);
    public sealed record OrganisationBody(string BrNumber, string Name, string Address);
    public sealed record MemberBody(SubscriberKind Kind, string Name, string? Email = null, string? OrgUnit = null, bool AuthorisedRepresentative = false);
    public sealed record SubscriberView(string Srn, SubscriberKind Kind, string Name, string? ChineseName, string? IdentityMasked,
        string? CertificateEmail, string? ContactEmail, string? PostalAddress, string? BrNumber, string? OrgUnit, bool AuthorisedRepresentative,
        DateTimeOffset CreatedAt, IReadOnlyList<string>? Applications = null);
    public sealed record Registered(string Srn, bool AlreadyRegistered, SubscriberView Subscriber);

    public static void MapSubscriberApi(this IEndpointRouteBuilder app)
    {
        var subscribers = app.MapGroup("/api/subscribers").WithTags("Subscribers").WithProblems();
        subscribers.MapPost("/persons", (PersonBody body, EcertInstance instance) =>
        {
            var (subscriber, existing) = instance.Registry().RegisterPerson(new PersonRegistration(body.Name, body.IdNumber, body.ChineseName,
                body.CertificateEmail, body.ContactEmail, body.PostalAddress));
            var result = new Registered(subscriber.Srn, existing, View(subscriber));
            return existing ? Results.Ok(result) : Results.Created($"/api/subscribers/{subscriber.Srn}", result);
        }).Requires(Permissions.SubscribersRegister);
        subscribers.MapGet("/{srn}", (string srn, string? purpose, EcertInstance instance) =>
        {
            var subscriber = instance.Registry().Get(srn);
            RecordRead(instance, subscriber.Srn, purpose);
            return View(subscriber) with { Applications = instance.Applications.ListApplications(srn: srn).Select(a => a.Id).ToList() };
        }).Requires(Permissions.SubscribersRead);

        var organisations = app.MapGroup("/api/organisations").WithTags("Subscribers").WithProblems();
        organisations.MapPost("/", (OrganisationBody body, EcertInstance instance) =>
        {
            var organisation = instance.Registry().RegisterOrganisation(body.BrNumber, body.Name, body.Address);
            return TypedResults.Created($"/api/organisations/{organisation.BrNumber}", organisation);
        }).Requires(Permissions.SubscribersRegister);
        organisations.MapGet("/{brNumber}", (string brNumber, string? purpose, EcertInstance instance) =>
        {
            var organisation = instance.Subscribers.FindOrganisation(brNumber) ?? throw Core.ECertException.NotFound($"organisation {brNumber} is not registered");
            RecordRead(instance, organisation.BrNumber, purpose);
            return new { organisation, members = instance.Subscribers.ListSubscribers(brNumber).Select(View) };
        }).Requires(Permissions.SubscribersRead);
        organisations.MapPost("/{brNumber}/members", (string brNumber, MemberBody body, EcertInstance instance) =>
        {
            var member = instance.Registry().RegisterMember(brNumber, body.Kind, body.Name, body.Email, body.OrgUnit, body.AuthorisedRepresentative);
            return TypedResults.Created($"/api/subscribers/{member.Srn}", View(member));
        }).Requires(Permissions.SubscribersRegister);
    }

    /// <summary>Every read of personal data states its purpose (?purpose=...) and is recorded with it.</summary>
    internal static void RecordRead(EcertInstance instance, string subject, string? purpose)
    {
        var checkedPurpose = Core.Privacy.Purposes.Check(purpose);
        instance.Audit.Record(new Core.Audit.AuditEvent(instance.Actor.Role, instance.Actor.Id, "personal-data.read", subject, instance.Actor.Outlet, checkedPurpose));
    }

    public static SubscriberView View(Subscriber s) =>
        new(s.Srn, s.Kind, s.Name, s.ChineseName, s.IdentityMasked, s.CertificateEmail, s.ContactEmail, s.PostalAddress, s.BrNumber, s.OrgUnit,
            s.IsAuthorisedRepresentative, s.CreatedAt);
}
