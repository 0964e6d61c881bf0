using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Kit's published v4 OpenAPI document (docs/reference/kit-api-v4.openapi.json, copied from the reference) as a
/// validator: the response schema of an operation and status, turned from OpenAPI 3.0 into JSON Schema
/// (<c>nullable</c> becomes a null type, <c>$ref</c>s are inlined) and evaluated with JsonSchema.Net.
/// A status the document does not declare for the operation fails, unless it is one Kit documents
/// elsewhere for every operation (400 for unreadable input, 413, 429).
/// </summary>
public static class V4Schema
{
    static readonly Lazy<JsonObject> Document = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kit-api-v4.openapi.json")))!);

    static readonly Dictionary<string, JsonSchema?> Cache = [];
    static readonly Lock Gate = new();

    /// <summary>Every (method, path template) in the document.</summary>
    public static IEnumerable<(string Method, string Path)> Operations() =>
        from path in ((JsonObject)Document.Value["paths"]!)
        from op in (JsonObject)path.Value!
        select (op.Key.ToUpperInvariant(), path.Key);

    /// <summary>The document's path template that <paramref name="url"/> (path and query) matches.</summary>
    public static string Template(string method, string url)
    {
        var path = url.Split('?')[0];
        var matches = ((JsonObject)Document.Value["paths"]!)
            .Where(p => p.Value is JsonObject ops && ops.ContainsKey(method.ToLowerInvariant()))
            .Select(p => p.Key)
            .Where(t => Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(t), @"\\\{[^}]+}", "[^/]+") + "$"))
            // A literal segment beats a parameter (/v4/broadcasts/stats before /v4/broadcasts/{id}).
            .OrderBy(t => t.Count(c => c == '{'))
            .ToList();
        Assert.True(matches.Count > 0, $"{method} {path} is not an operation of Kit's v4 document");
        return matches[0];
    }

    public static void AssertValid(string method, string url, int status, JsonNode body)
    {
        var template = Template(method, url);
        var schema = SchemaFor(method, template, status);
        if (schema is null) return;
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(body), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return;
        var problems = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(20);
        Assert.Fail($"{method} {template} {status} does not match Kit's schema:\n  {string.Join("\n  ", problems)}\nBody: {Truncate(body.ToJsonString())}");
    }

    static string Truncate(string s) => s.Length > 2000 ? s[..2000] + "…" : s;

    static JsonSchema? SchemaFor(string method, string template, int status)
    {
        var key = $"{method} {template} {status}";
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out var cached)) return cached;
            var responses = Document.Value["paths"]![template]![method.ToLowerInvariant()]!["responses"] as JsonObject;
            var response = responses?[status.ToString()];
            if (response is null)
            {
                // 400 (unreadable input), 413 (a body over the limit), 429 (rate limit), 403 (a read-only token writing)
                // and 422 (bad paging or filter parameters, which Kit documents outside the document, v4 notes §6) can
                // answer any operation; 404 any operation on an id. Their body is the usual error shape.
                Assert.True(status is 400 or 413 or 429 or 403 or 422 || (status == 404 && template.Contains('{')),
                    $"Kit's document declares no {status} for {method} {template} (declared: {string.Join(", ", responses?.Select(r => r.Key) ?? [])})");
                return Cache[key] = ErrorSchema;
            }
            var schemaNode = response["content"]?["application/json"]?["schema"];
            if (schemaNode is null) return Cache[key] = null;
            var converted = Convert(schemaNode, 0);
            return Cache[key] = JsonSchema.FromText(converted!.ToJsonString());
        }
    }

    static readonly JsonSchema ErrorSchema = JsonSchema.FromText("""
        {"type":"object","required":["errors"],"properties":{"errors":{"type":"array","items":{"type":"string"}}}}
        """);

    /// <summary>
    /// The one place Mailroom departs from the document's schemas: an empty page has no first or last row, so its
    /// cursors are null (the document only shows pages with rows and types them as plain strings; Kit's own API
    /// answers null there, like every GraphQL-style connection).
    /// </summary>
    static JsonNode NullableCursor(JsonNode? schema) => new JsonObject { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    /// <summary>OpenAPI 3.0 schema → JSON Schema 2020-12: inline $refs, nullable → null type, drop OpenAPI-only keywords.</summary>
    static JsonNode? Convert(JsonNode? node, int depth)
    {
        if (depth > 40) return new JsonObject();
        switch (node)
        {
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Convert(item, depth + 1))]);
            case JsonObject obj when obj["$ref"] is JsonValue reference:
                var pointer = reference.GetValue<string>().TrimStart('#', '/').Split('/');
                JsonNode? target = Document.Value;
                foreach (var part in pointer) target = target![part];
                return Convert(target, depth + 1);
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (name is "example" or "examples" or "nullable" or "x-mcp" or "discriminator" or "xml" or "externalDocs" or "deprecated" or "readOnly" or "writeOnly") continue;
                    result[name] = name is "properties"
                        ? new JsonObject([.. ((JsonObject)value!).Select(p => new KeyValuePair<string, JsonNode?>(p.Key,
                            p.Key is "start_cursor" or "end_cursor" ? NullableCursor(Convert(p.Value, depth + 1)) : Convert(p.Value, depth + 1)))])
                        : Convert(value, depth + 1);
                }
                if (obj["nullable"] is JsonValue n && n.GetValue<bool>())
                {
                    if (result["type"] is JsonValue t) result["type"] = new JsonArray(t.GetValue<string>(), "null");
                    else if (result.Count > 0) return new JsonObject { ["anyOf"] = new JsonArray(result, new JsonObject { ["type"] = "null" }) };
                }
                return result;
            default:
                return node?.DeepClone();
        }
    }
}
