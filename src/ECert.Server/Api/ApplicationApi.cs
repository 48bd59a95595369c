using ECert.Core.Access;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Issuance;
using ECert.Core.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Api;

/// <summary>
/// <c>/api/applications</c>: submit, verify, approve, quote, pay, issue, accept, withdraw; and
/// renewals of certificates. Each step is a POST to a sub-resource named for what it records.
/// </summary>
public static class ApplicationApi
{
    public sealed record SubmitBody(string Srn, string Profile, ApplicationChannel Channel = ApplicationChannel.Online, int TermYears = 1,
        List<string>? DnsNames = null, bool UsbMedium = false, int ExtraServers = 0);
    public sealed record RenewalBody(ApplicationChannel Channel = ApplicationChannel.Online, int TermYears = 1);
    public sealed record VerificationBody(string OfficerId, string OutletCode, string DocumentType, string? PinEnvelope = null, string? OverrideBy = null);
    public sealed record ApprovalBody(string OfficerId);
    public sealed record PaymentBody(PaymentChannel Channel, ECert.Core.Billing.Money Amount, string? OfficerId = null, string? OutletCode = null,
        string? Reference = null, string? OverrideBy = null);
    /// <summary>The subscriber's key: a PKCS#10 request (PEM), or a smart ID card's public key (base64 DER SubjectPublicKeyInfo).</summary>
    public sealed record IssuanceBody(string? Csr = null, string? PublicKey = null);
    public sealed record IssuedView(string Serial, string Certificate, Application Application);
    public sealed record WithdrawalBody(string Reason);
    public sealed record RejectionBody(string OfficerId, string Reason);

    public static void MapApplicationApi(this IEndpointRouteBuilder app)
    {
        var applications = app.MapGroup("/api/applications").WithTags("Applications").WithProblems();
        applications.MapPost("/", (SubmitBody body, EcertInstance instance) =>
        {
            var application = instance.ApplicationService().Submit(new SubmitRequest(body.Srn, body.Profile, body.Channel, body.TermYears,
                body.DnsNames, body.UsbMedium, body.ExtraServers));
            return TypedResults.Created($"/api/applications/{application.Id}", application);
        }).Requires(Permissions.ApplicationsCounter);
        applications.MapGet("/", (string? state, string? srn, EcertInstance instance) =>
            instance.Applications.ListApplications(state is null ? null : Application.ParseStateOrThrow(state), srn)).Requires(Permissions.ApplicationsRead);
        applications.MapGet("/{id}", (string id, EcertInstance instance) => instance.ApplicationService().Get(id)).Requires(Permissions.ApplicationsRead);
        applications.MapGet("/{id}/quote", (string id, EcertInstance instance) =>
        {
            var service = instance.ApplicationService();
            return service.QuoteFor(service.Get(id));
        }).Requires(Permissions.ApplicationsRead);
        applications.MapPost("/{id}/verification", (string id, VerificationBody body, EcertInstance instance) =>
            instance.ApplicationService().VerifyIdentity(id, new IdentityCheck(body.OfficerId, body.OutletCode, body.DocumentType, body.PinEnvelope, body.OverrideBy))).Requires(Permissions.ApplicationsCounter);
        applications.MapPost("/{id}/approval", (string id, ApprovalBody body, EcertInstance instance) =>
            instance.ApplicationService().Approve(id, body.OfficerId)).Requires(Permissions.ApplicationsCounter);
        applications.MapPost("/{id}/payment", (string id, PaymentBody body, EcertInstance instance) =>
        {
            var (application, payment) = instance.ApplicationService().Pay(id,
                new PaymentRequest(body.Channel, body.Amount, body.OfficerId, body.OutletCode, body.Reference, body.OverrideBy));
            return TypedResults.Created($"/api/payments/{payment.Receipt}", new { payment, application });
        }).Requires(Permissions.PaymentsTake);
        applications.MapPost("/{id}/issuance", (string id, IssuanceBody body, EcertInstance instance) =>
        {
            var key = (body.Csr, body.PublicKey) switch
            {
                ({ } csr, null) => CsrReader.ReadPublicKey(System.Text.Encoding.ASCII.GetBytes(csr)),
                (null, { } spki) => SubjectPublicKeyInfoReader.ReadBase64(spki, "publicKey"),
                _ => throw ECertException.Invalid("give exactly one of csr (PEM) or publicKey (base64 DER SubjectPublicKeyInfo)"),
            };
            var (application, issued) = instance.ApplicationService().Issue(id, key);
            return TypedResults.Created($"/repository/certificates/{issued.SerialHex}", new IssuedView(issued.SerialHex, issued.Pem, application));
        }).Requires(Permissions.ApplicationsCounter);
        applications.MapPost("/{id}/acceptance", (string id, EcertInstance instance) => instance.ApplicationService().Accept(id)).Requires(Permissions.ApplicationsCounter);
        applications.MapPost("/{id}/withdrawal", (string id, WithdrawalBody body, EcertInstance instance) => instance.ApplicationService().Withdraw(id, body.Reason)).Requires(Permissions.ApplicationsCounter);
        applications.MapPost("/{id}/rejection", (string id, RejectionBody body, EcertInstance instance) =>
            instance.ApplicationService().Reject(id, body.OfficerId, body.Reason)).Requires(Permissions.ApplicationsCounter);

        app.MapPost("/api/certificates/{serial}/renewals", (string serial, RenewalBody? body, EcertInstance instance) =>
        {
            var application = instance.ApplicationService().SubmitRenewal(serial, body?.Channel ?? ApplicationChannel.Online, body?.TermYears ?? 1);
            return TypedResults.Created($"/api/applications/{application.Id}", application);
        }).WithTags("Applications").Requires(Permissions.ApplicationsCounter);
    }
}
