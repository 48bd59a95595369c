using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ECert.Core;
using ECert.Core.Billing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ECert.Server.Api;

/// <summary>
/// What every REST endpoint shares: JSON conventions (camelCase, enum and money as strings), the
/// operator API key, and the one mapping of the domain's errors to RFC 7807 problem documents.
/// </summary>
public static partial class ApiSupport
{
    public const string ApiKeyVariable = "ECERT_API_KEY";

    /// <param name="baseUrl">The service's public address, named in the OpenAPI document (never the request's Host header, which a cache would keep).</param>
    public static void AddApi(this IServiceCollection services, string baseUrl)
    {
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
            o.SerializerOptions.Converters.Add(new MoneyConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            // A missing required field or a null where none is allowed is a 400 naming the field.
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
            o.SerializerOptions.TypeInfoResolver = (o.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(RefuseNullElements);
        });
        // A malformed body or parameter is thrown, so the handler below can say exactly what is wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ProblemMapper>();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [new Microsoft.OpenApi.OpenApiServer { Url = baseUrl }];
            return Task.CompletedTask;
        }).AddOperationTransformer((operation, context, _) =>
        {
            // Each operation states the permission it needs, so the matrix can be read (and tested) from the document.
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiresPermission>().FirstOrDefault() is { } needed)
            {
                operation.Extensions ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiExtension>();
                operation.Extensions["x-ecert-permission"] = new Microsoft.OpenApi.JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(needed.Permission));
            }
            return Task.CompletedTask;
        }).AddSchemaTransformer((schema, context, _) =>
        {
            // Money travels as a string of dollars and cents, never a number.
            if (context.JsonTypeInfo.Type == typeof(Money) || context.JsonTypeInfo.Type == typeof(Money?))
            {
                schema.Type = Microsoft.OpenApi.JsonSchemaType.String;
                schema.Pattern = "^[0-9]{1,12}(\\.[0-9]{1,2})?$";
                schema.Properties?.Clear();
            }
            return Task.CompletedTask;
        }));
    }

    /// <summary>Every API route may answer with these problem documents; the OpenAPI document says so.</summary>
    public static RouteGroupBuilder WithProblems(this RouteGroupBuilder group) => group
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>The permission an endpoint needs; every /api endpoint declares one (fail closed otherwise).</summary>
    public sealed record RequiresPermission(string Permission);

    public static TBuilder Requires<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresPermission(permission));

    /// <summary>
    /// Authentication and the permission matrix for <c>/api</c>: the caller presents a staff API key
    /// (<c>Authorization: Bearer &lt;key&gt;</c>, see <c>./ecert staff add</c>) or the bootstrap
    /// operator key from <c>ECERT_API_KEY</c> (role operator-admin). The endpoint's permission is
    /// checked against the caller's role; a refusal is a 403 problem document and an audit entry.
    /// Every request that changes something is recorded in the audit trail with its outcome.
    /// Runs after routing, so the permission is known before the body is read.
    /// </summary>
    public static void UseApiAccess(this WebApplication app)
    {
        var bootstrapKey = Environment.GetEnvironmentVariable(ApiKeyVariable);
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api")) { await next(); return; }
            var instance = context.RequestServices.GetRequiredService<EcertInstance>();
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : "";
            Core.Audit.AuditActor? actor = null;
            if (given.Length > 0 && !string.IsNullOrEmpty(bootstrapKey)
                && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(bootstrapKey))))
                actor = new(Core.Access.Roles.OperatorAdministrator, "bootstrap-key");
            else if (given.Length > 0 && instance.StaffDirectory().Authenticate(given) is { } member)
                actor = new(member.Role, member.Id);
            else if (given.Length == 0 && await context.Connection.GetClientCertificateAsync() is { } presented
                     && StaffByCertificate(instance, presented) is { } person)
                actor = new(person.Role, person.Id);
            if (actor is null)
            {
                if (string.IsNullOrEmpty(bootstrapKey) && instance.Staff.ListStaff().Count == 0)
                {
                    await Problem(context, StatusCodes.Status503ServiceUnavailable, "API closed",
                        $"the REST API has no users yet: add staff with './ecert staff add' or start the server with {ApiKeyVariable} set");
                    return;
                }
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Problem(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                    "send a staff API key as 'Authorization: Bearer <key>', or over HTTPS a client certificate from this CA bound to your staff record");
                return;
            }

            var permission = context.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>()?.Permission;
            var what = $"api.{context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path}";
            if (permission is null || !Core.Access.Permissions.Allows(actor.Role, permission))
            {
                instance.Audit.Record(new Core.Audit.AuditEvent(actor.Role, actor.Id, what, context.Request.Path, Outcome: "refused",
                    Detail: permission is null ? "no permission declared" : $"needs {permission}"));
                await Problem(context, StatusCodes.Status403Forbidden, "Forbidden",
                    permission is null ? "this endpoint is not open to anyone" : $"role {actor.Role} may not do this ({permission})");
                return;
            }
            using (instance.ActAs(actor))
            {
                await next();
                if (!HttpMethods.IsGet(context.Request.Method))
                    instance.Audit.Record(new Core.Audit.AuditEvent(actor.Role, actor.Id, what, context.Request.Path,
                        Outcome: context.Response.StatusCode < 400 ? "ok" : context.Response.StatusCode < 500 ? "refused" : "failed",
                        Detail: $"status={context.Response.StatusCode}"));
            }
        });
    }

    /// <summary>
    /// A person's client certificate (TLS): one this CA issued, byte for byte as stored, valid now,
    /// bound to an active member of staff (<c>./ecert staff bind-certificate</c>).
    /// </summary>
    private static Core.Access.StaffMember? StaffByCertificate(EcertInstance instance, System.Security.Cryptography.X509Certificates.X509Certificate2 presented)
    {
        var record = instance.Certificates.FindCertificate(presented.SerialNumber.ToUpperInvariant());
        if (record?.Der is null || !record.Der.AsSpan().SequenceEqual(presented.RawData)) return null;
        return instance.StaffDirectory().Authenticate(record, instance.Time.GetUtcNow());
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status, type: $"urn:ecert:problem:{title.ToLowerInvariant().Replace(' ', '-')}").ExecuteAsync(context);

    /// <summary>ECertException kinds to HTTP: 400 invalid, 422 refused by policy, 404, 409, 500.</summary>
    private sealed partial class ProblemMapper(Microsoft.Extensions.Logging.ILogger<ProblemMapper> logger) : IExceptionHandler
    {
        [Microsoft.Extensions.Logging.LoggerMessage(EventId = 4001, Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Request {Method} {Path} failed")]
        private partial void LogFailed(Exception exception, string method, string path);

        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
        {
            var (status, title, detail) = exception switch
            {
                ECertException { Kind: ErrorKind.InvalidInput } e => (400, "Invalid input", e.Message),
                ECertException { Kind: ErrorKind.PolicyViolation } e => (422, "Refused by policy", e.Message),
                ECertException { Kind: ErrorKind.NotFound } e => (404, "Not found", e.Message),
                ECertException { Kind: ErrorKind.Conflict } e => (409, "Conflict", e.Message),
                BadHttpRequestException e => (400, "Invalid input", Plain((e.InnerException as JsonException)?.Message ?? e.Message)),
                JsonException e => (400, "Invalid input", Plain(e.Message)),
                _ => (500, "Internal error", "the request failed on our side and changed nothing; the error is logged"),
            };
            if (status == 500) LogFailed(exception, context.Request.Method, context.Request.Path);
            if (!context.Request.Path.StartsWithSegments("/api") && status == 500) return false;
            await Problem(context, status, title, detail);
            return true;
        }
    }

    /// <summary>Says what is wrong in the request's own words rather than the server's type names.</summary>
    private static string Plain(string message)
    {
        var unknown = System.Text.RegularExpressions.Regex.Match(message, "The JSON property '([^']*)' could not be mapped");
        if (unknown.Success) return $"'{unknown.Groups[1].Value}' is not a field of this request";
        var missing = System.Text.RegularExpressions.Regex.Match(message, "missing required properties including: (.*)\\.$");
        if (missing.Success) return $"required fields are missing: {missing.Groups[1].Value}";
        return System.Text.RegularExpressions.Regex.Replace(message, @" to (type )?'?ECert\.[A-Za-z0-9_.+]+'?", "");
    }

    /// <summary>
    /// A null inside a list the body declares non-null (<c>"outlets": [null]</c>) is a 400 naming
    /// the field. <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> covers properties
    /// and constructor parameters but not the elements of a collection, so each object type checks
    /// its lists once it is read.
    /// </summary>
    private static void RefuseNullElements(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        var nullability = new NullabilityInfoContext();
        var lists = new List<JsonPropertyInfo>();
        foreach (var property in type.Properties)
        {
            if (property.Get is null || property.AttributeProvider is not PropertyInfo member) continue;
            var declared = nullability.Create(member);
            var element = declared.ElementType ?? (declared.GenericTypeArguments.Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(member.PropertyType) ? declared.GenericTypeArguments[0] : null);
            if (element is { ReadState: NullabilityState.NotNull } && !element.Type.IsValueType) lists.Add(property);
        }
        if (lists.Count == 0) return;
        var before = type.OnDeserialized;
        type.OnDeserialized = value =>
        {
            before?.Invoke(value);
            foreach (var list in lists)
                if (list.Get!(value) is System.Collections.IEnumerable elements && elements.Cast<object?>().Any(e => e is null))
                    throw new JsonException($"'{list.Name}' has a null element; leave it out or give a value");
        };
    }

    /// <summary>Money as a string of dollars and cents ("48.00"), never a float.</summary>
    private sealed class MoneyConverter : JsonConverter<Money>
    {
        public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? Money.Parse(reader.GetString())
                : throw new JsonException("amounts are strings of Hong Kong dollars such as \"48.00\", never numbers");

        public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
