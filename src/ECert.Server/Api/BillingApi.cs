using ECert.Core.Access;
using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Service;
using ECert.Core.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Api;

/// <summary>
/// <c>/api/tariffs</c>, <c>/api/payments</c>, subscription payments, <c>/api/reports</c> and
/// <c>/api/status-requests</c>.
/// </summary>
public static class BillingApi
{
    public sealed record SubscriptionPaymentBody(PaymentChannel Channel, Money Amount, int Years = 1, string? OfficerId = null,
        string? OutletCode = null, string? Reference = null, string? OverrideBy = null);
    public sealed record TariffEndBody(DateOnly Until);
    public sealed record RefundBody(string Reason, Money? Amount = null, string? OfficerId = null, string? OutletCode = null);
    public sealed record StatusRequestBody(string Serial, StatusAction Action, RequestChannel Channel, string RequesterSrn, string? Reason = null, string? Note = null,
        string? OfficerId = null, string? OutletCode = null, string? OverrideBy = null);

    public static void MapBillingApi(this IEndpointRouteBuilder app)
    {
        var tariffs = app.MapGroup("/api/tariffs").WithTags("Tariffs").WithProblems();
        tariffs.MapGet("/", (EcertInstance instance) => instance.Tariffs().Versions).Requires(Permissions.TariffsRead);
        tariffs.MapPost("/", (TariffVersion version, EcertInstance instance) =>
        {
            instance.Tariffs().CheckCanAdd(version);
            instance.Applications.AddTariff(version);
            return TypedResults.Created($"/api/tariffs", version);
        }).Requires(Permissions.TariffsManage);
        tariffs.MapPost("/{code}/end", (string code, TariffEndBody body, EcertInstance instance) =>
        {
            var ended = instance.Tariffs().CheckCanEnd(code, body.Until, ApplicationService.HongKongDateToday(instance.Time));
            if (!instance.Applications.EndTariff(ended.Code, body.Until))
                throw ECertException.Conflict($"tariff '{code}' changed while this ran");
            return ended;
        }).Requires(Permissions.TariffsManage);
        tariffs.MapGet("/quote", (string product, FeeKind? kind, int? termYears, DateOnly? date, int? extraServers, bool? usbMedium, EcertInstance instance) =>
            instance.Tariffs().Quote(new QuoteRequest(product, kind ?? FeeKind.First, termYears ?? 1,
                date ?? ApplicationService.HongKongDateToday(instance.Time), extraServers ?? 0, usbMedium ?? false))).Requires(Permissions.TariffsRead);

        var payments = app.MapGroup("/api/payments").WithTags("Payments").WithProblems();
        payments.MapGet("/", (DateOnly from, DateOnly? until, EcertInstance instance) =>
        {
            ReportService.CheckYear(from.Year);
            ReportService.CheckYear((until ?? from).Year);
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
            var end = new DateTimeOffset((until ?? from).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
            return instance.Applications.ListPayments(start, end);
        }).Requires(Permissions.PaymentsRead);
        payments.MapGet("/{receipt}", (string receipt, EcertInstance instance) =>
            instance.Applications.FindPayment(receipt) ?? throw ECertException.NotFound($"no receipt {receipt}")).Requires(Permissions.PaymentsRead);
        payments.MapPost("/{receipt}/refunds", (string receipt, RefundBody body, EcertInstance instance) =>
        {
            var refund = instance.Reports().Refund(receipt, body.Amount, body.Reason, body.OfficerId, body.OutletCode);
            return TypedResults.Created($"/api/payments/{refund.Receipt}", refund);
        }).Requires(Permissions.PaymentsRefund);
        app.MapPost("/api/certificates/{serial}/subscription-payments", (string serial, SubscriptionPaymentBody body, EcertInstance instance) =>
        {
            var (payment, period) = instance.Subscriptions().PaySubscription(serial,
                new PaymentRequest(body.Channel, body.Amount, body.OfficerId, body.OutletCode, body.Reference, body.OverrideBy), body.Years);
            return TypedResults.Created($"/api/payments/{payment.Receipt}", new { payment, period });
        }).WithTags("Payments").Requires(Permissions.PaymentsTake);

        var reports = app.MapGroup("/api/reports").WithTags("Reports").WithProblems();
        reports.MapGet("/revenue", (int year, EcertInstance instance) => instance.Reports().Revenue(year)).Requires(Permissions.ReportsRead);
        reports.MapGet("/reconciliation", (DateOnly date, EcertInstance instance) => instance.Reports().DailyReconciliation(date)).Requires(Permissions.ReportsRead);
        reports.MapGet("/revocation-turnaround", (DateOnly from, DateOnly until, EcertInstance instance) =>
        {
            ReportService.CheckYear(from.Year);
            ReportService.CheckYear(until.Year);
            return instance.StatusRequestService().Turnaround(
                new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)),
                new DateTimeOffset(until.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)));
        }).Requires(Permissions.ReportsRead);

        var requests = app.MapGroup("/api/status-requests").WithTags("Status requests").WithProblems();
        requests.MapPost("/", (StatusRequestBody body, EcertInstance instance) =>
        {
            var request = instance.StatusRequestService().Receive(body.Serial, body.Action, body.Channel, body.RequesterSrn,
                body.Reason is null ? null : RevocationReasons.Parse(body.Reason), body.Note, body.OfficerId, body.OutletCode, body.OverrideBy);
            return TypedResults.Created($"/api/status-requests/{request.Id}", request);
        }).Requires(Permissions.StatusRequests);
        requests.MapPost("/{id}/original", (string id, EcertInstance instance) => instance.StatusRequestService().ConfirmOriginal(id)).Requires(Permissions.StatusRequests);
    }
}
