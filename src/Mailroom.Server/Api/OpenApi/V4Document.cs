using System.Text.Json.Nodes;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Api.OpenApi;

/// <summary>
/// <c>/openapi/v4.json</c>: Kit's own published v4 document (docs/reference, embedded), because Mailroom's contract is
/// exactly that document — its summaries, descriptions, parameters, bodies, examples and error messages describe this
/// server as well as Kit's. It is narrowed to the operations this server routes (so it never promises one that is
/// missing), pointed at this server (servers, OAuth URLs), and given the answers every operation can also give here:
/// 400 for unreadable input, 413 for a body over the limit, 429 for the rate limit, 422 for bad paging parameters.
/// </summary>
static class V4Document
{
    static readonly Lazy<string> Reference = new(() =>
    {
        using var stream = typeof(V4Document).Assembly.GetManifestResourceStream("kit-api-v4.openapi.json")!;
        return new StreamReader(stream).ReadToEnd();
    });

    public static void MapV4Document(this WebApplication app) =>
        app.MapGet("/openapi/v4.json", (EndpointDataSource endpoints, PublicUrl url) =>
            Results.Text(Build(RoutedOperations(endpoints), url.Value).ToJsonString(), "application/json"))
            .ExcludeFromDescription();

    /// <summary>Every (METHOD, template) this server routes under /v4, templates without route constraints.</summary>
    public static HashSet<(string Method, string Template)> RoutedOperations(EndpointDataSource endpoints) =>
    [
        .. from endpoint in endpoints.Endpoints.OfType<RouteEndpoint>()
           let raw = "/" + endpoint.RoutePattern.RawText?.TrimStart('/')
           where V4Pipeline.IsV4(raw) && endpoint.Metadata.GetMetadata<AnonymousV4Attribute>() is null
           from method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []
           select (method.ToUpperInvariant(), WithoutConstraints(raw)),
    ];

    static string WithoutConstraints(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{([^}:?]+)[^}]*\}", "{$1}");

    /// <summary>A template with its parameter names blanked, so /v4/tags/{id} and /v4/tags/{tag_id} compare equal.</summary>
    public static string Shape(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\{[^}]+\}", "{}");

    public static JsonObject Build(IReadOnlyCollection<(string Method, string Template)> routed, string baseUrl)
    {
        var document = (JsonObject)JsonNode.Parse(Reference.Value)!;
        document["info"]!["title"] = "Mailroom — Kit API v4";
        document["info"]!["description"] =
            "Kit's API v4, as Mailroom serves it. This is Kit's own published document narrowed to the operations this " +
            "server answers. Authenticate with a v4 API key (`mailroom keys create`) in `X-Kit-Api-Key`, or an OAuth 2.0 " +
            "access token (`mailroom apps create`, then the authorization code flow with PKCE at /v4/oauth/authorize) as " +
            "`Authorization: Bearer`. Every error body is `{\"errors\": [\"...\"]}`.";
        document["servers"] = new JsonArray(new JsonObject { ["url"] = baseUrl });
        if (document["components"]?["securitySchemes"]?["OAuth2"]?["flows"]?["authorizationCode"] is JsonObject flow)
        {
            flow["authorizationUrl"] = baseUrl + "/v4/oauth/authorize";
            flow["tokenUrl"] = baseUrl + "/v4/oauth/token";
            flow["refreshUrl"] = baseUrl + "/v4/oauth/token";
        }

        var shapes = routed.Select(r => (r.Method, Shape(r.Template))).ToHashSet();
        var paths = (JsonObject)document["paths"]!;
        foreach (var (path, node) in paths.ToList())
        {
            var operations = (JsonObject)node!;
            foreach (var (method, operation) in operations.ToList())
            {
                if (!IsMethod(method)) continue;
                if (!shapes.Contains((method.ToUpperInvariant(), Shape(path)))) { operations.Remove(method); continue; }
                RemoveArtefacts((JsonObject)operation!);
                AddCommonResponses((JsonObject)operation!);
                AddExtraParameters(method, path, (JsonObject)operation!);
            }
            if (!operations.Any(o => IsMethod(o.Key))) paths.Remove(path);
        }
        // The document declares no body for the bulk untagging, though it takes the taggings its POST twin takes
        // (its 422 asks for them, v4 notes §1): describe it with the twin's body.
        if (paths["/v4/bulk/tags/subscribers"] is JsonObject bulkTaggings && bulkTaggings["delete"] is JsonObject untag
            && untag["requestBody"] is null && bulkTaggings["post"]?["requestBody"] is { } twin)
            untag["requestBody"] = twin.DeepClone();
        return document;
    }

    /// <summary>
    /// Query parameters Kit documents outside this document (its changelog, v4 notes §6) that Mailroom reads.
    /// </summary>
    static readonly Dictionary<(string Method, string Path), (string Name, string Description)[]> Extra = new()
    {
        [("get", "/v4/sequences")] = [("include", "`stats` adds each sequence's email stats (Kit, 2026-07-17).")],
        [("get", "/v4/sequences/{id}")] = [("include", "`stats` adds the sequence's email stats (Kit, 2026-07-17).")],
        [("get", "/v4/sequences/{sequence_id}/emails")] = [("include", "`stats` adds each email's stats (Kit, 2026-07-17).")],
        [("get", "/v4/sequences/{sequence_id}/emails/{id}")] = [("include", "`stats` adds the email's stats (Kit, 2026-07-17).")],
        [("get", "/v4/tags")] = [("include", "`subscriber_count` adds each tag's subscriber count (Kit, 2026-06-11).")],
        [("get", "/v4/forms")] = [("include", "`subscriber_count` adds each form's subscriber count (Kit, 2026-06-11).")],
        [("get", "/v4/broadcasts")] = [("status", "Only broadcasts in this status: draft, scheduled, sending, completed or aborted (Kit, 2026-05-26).")],
        [("get", "/v4/broadcasts/stats")] = [("status", "Only broadcasts in this status: draft, scheduled, sending, completed or aborted (Kit, 2026-05-26).")],
        // Its description says the paging parameters apply; the document declares only the path parameter.
        [("get", "/v4/broadcasts/{broadcast_id}/clicks")] =
        [
            ("after", "To fetch the next page of results, use `?after=<end_cursor>`."),
            ("before", "To fetch the previous page of results, use `?before=<start_cursor>`."),
            ("per_page", "Number of results per page. Default 500, maximum 1000."),
            ("include_total_count", "Set to `true` to include the `total_count` in the response."),
        ],
        // The document declares no body here, though its 422 asks for the address (v4 notes §1); query or JSON body.
        [("delete", "/v4/tags/{tag_id}/subscribers")] = [("email_address", "The subscriber's email address (in the query or a JSON body).")],
        // The document answers this one with `pagination` but declares no paging input; the others' four apply.
        [("post", "/v4/subscribers/filter")] =
        [
            ("after", "To fetch the next page of results, use `?after=<end_cursor>`."),
            ("before", "To fetch the previous page of results, use `?before=<start_cursor>`."),
            ("per_page", "Number of results per page. Default 500, maximum 1000."),
            ("include_total_count", "Always answered here; accepted for symmetry with the other lists."),
        ],
    };

    static void AddExtraParameters(string method, string path, JsonObject operation)
    {
        if (!Extra.TryGetValue((method, path), out var extra)) return;
        var parameters = operation["parameters"] as JsonArray ?? [];
        operation["parameters"] = parameters;
        foreach (var (name, description) in extra)
            if (!parameters.Any(p => p?["name"]?.GetValue<string>() == name && p["in"]?.GetValue<string>() == "query"))
                parameters.Add(new JsonObject
                {
                    ["name"] = name, ["in"] = "query", ["required"] = false, ["description"] = description,
                    ["schema"] = new JsonObject { ["type"] = "string" },
                });
    }

    /// <summary>GET /v4/broadcasts/{id} declares a query parameter literally named <c>[]</c> (v4 notes §1), which no client can name.</summary>
    static void RemoveArtefacts(JsonObject operation)
    {
        if (operation["parameters"] is JsonArray parameters)
            foreach (var artefact in parameters.Where(p => p?["name"]?.GetValue<string>() == "[]").ToList())
                parameters.Remove(artefact);
    }

    static bool IsMethod(string key) => key is "get" or "post" or "put" or "delete" or "patch";

    static void AddCommonResponses(JsonObject operation)
    {
        var responses = (JsonObject)operation["responses"]!;
        var paged = operation["parameters"] is JsonArray parameters
            && parameters.Any(p => p?["name"]?.GetValue<string>() is "after" or "before" or "per_page");
        Add(responses, "400", "The request could not be read (malformed JSON, a value of the wrong type).", "Request body is not valid JSON");
        Add(responses, "413", "The request body is larger than the server accepts.", V4Error.PayloadTooLarge(1048576));
        Add(responses, "429", "The credential's rate limit (per rolling 60 seconds) is spent; `Retry-After` says when to retry.", V4Error.TooManyRequests);
        if (paged) Add(responses, "422", "A paging parameter is not valid.", V4Error.PerPageInvalid(V4Page.MaxPerPage));
    }

    static void Add(JsonObject responses, string status, string description, string example)
    {
        if (responses.ContainsKey(status)) return;
        responses[status] = new JsonObject
        {
            ["description"] = description,
            ["content"] = new JsonObject
            {
                ["application/json"] = new JsonObject
                {
                    ["schema"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("errors"),
                        ["properties"] = new JsonObject { ["errors"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } } },
                    },
                    ["example"] = new JsonObject { ["errors"] = new JsonArray(example) },
                },
            },
        };
    }
}
