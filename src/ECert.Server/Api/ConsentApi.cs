using ECert.Core.Access;
using ECert.Core.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECert.Server.Api;

/// <summary><c>/api/consents</c>, <c>/api/collection-notices</c> and <c>/api/campaign-exports</c>.</summary>
public static class ConsentApi
{
    public sealed record NoticeBody(string Version, string Text, List<string> ServiceClasses, List<string> DataKinds);
    public sealed record ConsentBody(string Srn, string ServiceClass, List<string> DataKinds, string NoticeVersion, string Channel, bool ExplicitOptIn);
    public sealed record WithdrawalBody(string Srn, string ServiceClass, string Channel);
    public sealed record ExportBody(string ServiceClass);

    public static void MapConsentApi(this IEndpointRouteBuilder app)
    {
        var consents = app.MapGroup("/api").WithTags("Consent").WithProblems();
        consents.MapPost("/collection-notices", (NoticeBody body, EcertInstance instance) =>
            TypedResults.Created($"/api/collection-notices/{body.Version}",
                instance.ConsentRegister().PublishNotice(body.Version, body.Text, body.ServiceClasses, body.DataKinds))).Requires(Permissions.ConsentNotices);
        consents.MapPost("/consents", (ConsentBody body, EcertInstance instance) =>
            TypedResults.Created($"/api/subscribers/{body.Srn}/consents",
                instance.ConsentRegister().Give(body.Srn, body.ServiceClass, body.DataKinds, body.NoticeVersion, body.Channel, body.ExplicitOptIn))).Requires(Permissions.ConsentRecord);
        consents.MapPost("/consents/withdrawal", (WithdrawalBody body, EcertInstance instance) =>
        {
            instance.ConsentRegister().Withdraw(body.Srn, body.ServiceClass, body.Channel);
            return TypedResults.NoContent();
        }).Requires(Permissions.ConsentRecord);
        consents.MapGet("/subscribers/{srn}/consents", (string srn, string? purpose, EcertInstance instance) =>
        {
            SubscriberApi.RecordRead(instance, srn, purpose);
            return instance.ConsentRegister().For(srn);
        }).Requires(Permissions.ConsentRead);
        consents.MapPost("/campaign-exports", (ExportBody body, EcertInstance instance) =>
            instance.ConsentRegister().CampaignExport(body.ServiceClass, instance.Actor with { Role = "api", Id = "operator-key", Purpose = "direct-marketing" })).Requires(Permissions.CampaignExport);
    }
}
