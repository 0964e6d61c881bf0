using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mailroom.Server.Api.OpenApi;

/// <summary>
/// Completes the generated <c>/openapi/v3.json</c> (paths and success schemas come from the handlers) with what only
/// people know: a summary, description and tag per operation, every parameter the handler reads, the error answers with
/// their Kit bodies, and the two credentials. The words live in v3-operations.json next to this file.
/// </summary>
static class V3Document
{
    sealed record Operation(string Tag, string Summary, string Description, List<Parameter> Parameters, List<Error> Errors);
    sealed record Parameter(string Name, string Type, bool Required, string Description);
    sealed record Error(int Status, string Title, string Message);

    static readonly Lazy<Dictionary<string, Operation>> Operations = new(Load);

    public const string KeyScheme = "api_key";
    public const string SecretScheme = "api_secret";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Mailroom — Kit API v3";
            document.Info.Description = "ConvertKit's API v3 as Mailroom serves it. Parameters may be sent in the query string, " +
                "a JSON body or a form body on any method. Errors are {\"error\": \"...\", \"message\": \"...\"}.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [KeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "api_key",
                    Description = "The account's public API key: enough for forms, sequences, tags, custom field lists and subscribing.",
                },
                [SecretScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "api_secret",
                    Description = "The account's API secret: every operation, and the only credential for subscribers, broadcasts, purchases and webhooks.",
                },
            };
            document.Tags = new HashSet<OpenApiTag>(Operations.Value.Values.Select(o => o.Tag).Distinct().Select(t => new OpenApiTag { Name = t }));
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var key = Key(context.Description.HttpMethod ?? "GET", context.Description.RelativePath ?? "");
            var secretOnly = context.Description.ActionDescriptor.EndpointMetadata.OfType<SecretRequiredAttribute>().Any();
            Apply(operation, context.Document, key, secretOnly);
            return Task.CompletedTask;
        });
    }

    /// <summary>"POST /v3/forms/{id}/subscribe" for a route, constraints dropped and /v3/courses read as /v3/sequences.</summary>
    public static string Key(string method, string relativePath)
    {
        var path = "/" + System.Text.RegularExpressions.Regex.Replace(relativePath.TrimStart('/'), @"\{([^}:?]+)[^}]*\}", "{$1}");
        if (path.StartsWith("/v3/courses", StringComparison.Ordinal)) path = "/v3/sequences" + path["/v3/courses".Length..];
        return $"{method.ToUpperInvariant()} {path}";
    }

    /// <summary>The documented parameter names of an operation (for the test that every parameter read is documented).</summary>
    public static IReadOnlyList<string>? DocumentedParameters(string key) =>
        Operations.Value.TryGetValue(key, out var op) ? [.. op.Parameters.Select(p => p.Name)] : null;

    static void Apply(OpenApiOperation operation, OpenApiDocument? document, string key, bool secretOnly)
    {
        if (!Operations.Value.TryGetValue(key, out var op)) return;
        operation.Summary = op.Summary;
        operation.Description = op.Description;
        operation.OperationId = null;
        operation.Tags = new HashSet<OpenApiTagReference> { new(op.Tag, document) };
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecretScheme, document)] = [] },
            .. secretOnly ? Array.Empty<OpenApiSecurityRequirement>() :
                [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyScheme, document)] = [] }],
        ];

        var body = key.StartsWith("POST ", StringComparison.Ordinal) || key.StartsWith("PUT ", StringComparison.Ordinal);
        if (body && op.Parameters.Count > 0)
        {
            var schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = op.Parameters.ToDictionary(p => p.Name, p => (IOpenApiSchema)Schema(p)),
                Required = new HashSet<string>(op.Parameters.Where(p => p.Required).Select(p => p.Name)),
            };
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = op.Parameters.Any(p => p.Required),
                Description = "JSON or form-encoded; the same names are also read from the query string.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = schema },
                    ["application/x-www-form-urlencoded"] = new() { Schema = schema },
                },
            };
        }
        else
        {
            operation.Parameters ??= [];
            foreach (var p in op.Parameters)
                operation.Parameters.Add(new OpenApiParameter { Name = p.Name, In = ParameterLocation.Query, Required = p.Required, Description = p.Description, Schema = Schema(p) });
        }

        operation.Responses ??= new OpenApiResponses();
        var errors = new List<Error>(op.Errors)
        {
            new(401, ApiError.AuthorizationFailed, ApiError.KeyNotValid),
            new(400, "Bad Request", ApiError.MustBeString("email")),
            new(429, "Too Many Requests", "Rate limit exceeded: 120 requests per 60 seconds"),
        };
        if (key.Contains('{') && op.Errors.All(e => e.Status != 404)) errors.Add(new(404, ApiError.NotFoundTitle, ApiError.NotFoundMessage));
        if (body) errors.Add(new(413, "Payload Too Large", "Request body must not exceed 1048576 bytes"));
        foreach (var group in errors.GroupBy(e => e.Status))
        {
            var status = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(status)) continue;
            operation.Responses[status] = new OpenApiResponse
            {
                Description = string.Join("; ", group.Select(e => e.Message.Length > 0 ? e.Message : e.Title)),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = ErrorSchema,
                        Example = new JsonObject { ["error"] = group.First().Title, ["message"] = group.First().Message },
                    },
                },
            };
        }
    }

    static readonly OpenApiSchema ErrorSchema = new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "error", "message" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["error"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
    };

    static OpenApiSchema Schema(Parameter p) => new()
    {
        Description = p.Description,
        Type = p.Type switch
        {
            "integer" => JsonSchemaType.Integer,
            "boolean" => JsonSchemaType.Boolean,
            "object" => JsonSchemaType.Object,
            "array" => JsonSchemaType.Array,
            _ => JsonSchemaType.String,
        },
    };

    static Dictionary<string, Operation> Load()
    {
        using var stream = typeof(V3Document).Assembly.GetManifestResourceStream("v3-operations.json")!;
        var root = JsonNode.Parse(stream)!;
        var shared = root["shared"]!.AsObject().ToDictionary(p => p.Key, p => Parameters(p.Value!.AsArray()));
        return root["operations"]!.AsObject().ToDictionary(p => p.Key, p =>
        {
            var o = p.Value!;
            var parameters = o["params"] switch
            {
                JsonValue v => shared[v.GetValue<string>()],
                JsonArray a => Parameters(a),
                _ => [],
            };
            var errors = o["errors"] is JsonArray e
                ? e.Select(x => new Error(x![0]!.GetValue<int>(), x[1]!.GetValue<string>(), x[2]!.GetValue<string>())).ToList()
                : [];
            return new Operation(o["tag"]!.GetValue<string>(), o["summary"]!.GetValue<string>(), o["description"]!.GetValue<string>(), parameters, errors);
        });
    }

    static List<Parameter> Parameters(JsonArray items) =>
        [.. items.Select(x => new Parameter(x![0]!.GetValue<string>(), x[1]!.GetValue<string>(), x[2]!.GetValue<bool>(), x[3]!.GetValue<string>()))];
}
