using System.Text.Json.Nodes;
using Mailroom.Server.Api.OpenApi;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>
/// /openapi/v3.json and /openapi/v4.json are complete: every operation has a summary, description, tag, security and
/// its error answers, and every parameter a handler reads is documented (recorded while each operation is called with
/// every parameter it documents).
/// </summary>
public sealed class OpenApiDocumentsTests
{
    const string Key = "doc-test-key";
    const string Secret = "doc-test-secret";

    static async Task<MailroomApp> SeededAppAsync(string provider)
    {
        var app = await MailroomApp.StartAsync(provider);
        var seed = JsonNode.Parse(await File.ReadAllTextAsync(CliRunner.ExampleSeedFile))!;
        var account = seed["accounts"]![0]!;
        account["api_key"] = Key;
        account["api_secret"] = Secret;
        account["rate_limit_per_minute"] = 0;
        (await CliRunner.SeedAsync(app.Database, seed.ToJsonString())).AssertSuccess();
        return app;
    }

    [Theory, Providers]
    public async Task V3Document_EveryOperation_HasSummaryTagSecurityAndErrors(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var document = await (await app.Http.GetAsync("/openapi/v3.json")).AssertStatusAsync(200);

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal(["api_key", "api_secret"], schemes.Select(s => s.Key).Order());
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 37, $"only {operations.Count} operations");
        foreach (var (key, op) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(op["summary"]?.GetValue<string>()), $"{key} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(op["description"]?.GetValue<string>()), $"{key} has no description");
            Assert.NotEqual("v3", op["tags"]![0]!.GetValue<string>());
            Assert.NotEmpty(op["security"]!.AsArray());
            var responses = op["responses"]!.AsObject();
            foreach (var status in new[] { "400", "401", "429" })
                Assert.True(responses.ContainsKey(status), $"{key} does not declare {status}");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                Assert.NotNull(response!["content"]?["application/json"]?["example"]?["error"]);
        }
        // Secret-only operations offer only the secret.
        Assert.Equal("""[{"api_secret":[]}]""", operations.Single(o => o.Key == "GET /v3/subscribers").Op["security"]!.ToJsonString());
        Assert.Equal(2, operations.Single(o => o.Key == "GET /v3/tags").Op["security"]!.AsArray().Count);
    }

    static IEnumerable<(string Key, JsonNode Op)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        select ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!);

    /// <summary>One call per v3 operation carrying every parameter it documents, in the place a client would put it.</summary>
    static readonly (string Method, string Url, object? Body)[] V3Calls =
    [
        ("GET", "/v3/account", null),
        ("GET", "/v3/forms", null),
        ("GET", "/v3/forms/1", null),
        ("GET", "/v3/subscription_forms", null),
        ("POST", "/v3/forms/1/subscribe", new { email = "doc@example.com", first_name = "Doc", name = "Doc", fields = new { last_name = "Brown" }, tags = new[] { 1 }, courses = new[] { 1 }, forms = new[] { 2 }, integration_key = "x" }),
        ("GET", "/v3/forms/1/subscriptions?page=1&sort_order=asc&subscriber_state=active", null),
        ("GET", "/v3/sequences", null),
        ("GET", "/v3/courses", null),
        ("POST", "/v3/sequences/1/subscribe", new { email = "doc2@example.com", first_name = "Doc", fields = new { last_name = "Brown" }, tags = new[] { 1 } }),
        ("POST", "/v3/courses/1/subscribe", new { email = "doc3@example.com" }),
        ("GET", "/v3/sequences/1/subscriptions?page=1&sort_order=desc&subscriber_state=active", null),
        ("GET", "/v3/courses/1/subscriptions", null),
        ("GET", "/v3/tags", null),
        ("POST", "/v3/tags", new { tag = new { name = "Documented" } }),
        ("POST", "/v3/tags/1/subscribe", new { email = "doc4@example.com", first_name = "Doc", fields = new { last_name = "B" }, tags = new[] { 2 } }),
        ("POST", "/v3/tags/1/unsubscribe", new { email = "doc4@example.com" }),
        ("DELETE", "/v3/subscribers/1/tags/1", null),
        ("GET", "/v3/tags/1/subscriptions?page=1&sort_order=asc&subscriber_state=cancelled", null),
        ("GET", "/v3/subscribers?page=1&from=2020-01-01&to=2030-01-01&updated_from=2020-01-01&updated_to=2030-01-01&sort_order=desc&sort_field=created_at&email_address=doc@example.com&status=all", null),
        ("GET", "/v3/subscribers/1", null),
        ("PUT", "/v3/subscribers/1", new { first_name = "Renamed", email_address = "renamed@example.com", fields = new { last_name = "X" } }),
        ("PUT", "/v3/unsubscribe", new { email = "doc3@example.com" }),
        ("GET", "/v3/subscribers/1/tags", null),
        ("GET", "/v3/broadcasts?page=1&sort_order=desc", null),
        ("POST", "/v3/broadcasts", new { subject = "S", content = "<p>C</p>", description = "D", @public = true, published_at = "2030-01-01 10:00:00", send_at = (string?)null, email_address = "owner@acme.test", thumbnail_alt = "a", thumbnail_url = "https://example.com/t.png" }),
        ("GET", "/v3/broadcasts/1", null),
        ("GET", "/v3/broadcasts/1/stats", null),
        ("PUT", "/v3/broadcasts/3", new { subject = "S2", content = "<p>C2</p>", description = "D2", @public = false, published_at = "2030-01-01 10:00:00", send_at = (string?)null, email_address = "owner@acme.test", email_layout_template = (string?)null, thumbnail_alt = "b", thumbnail_url = "https://example.com/u.png" }),
        ("DELETE", "/v3/broadcasts/3", null),
        ("GET", "/v3/custom_fields", null),
        ("POST", "/v3/custom_fields", new { label = "Documented field" }),
        ("POST", "/v3/custom_fields", new { labels = new[] { "Older name" } }),
        ("GET", "/v3/custom_fields/1", null),
        ("PUT", "/v3/custom_fields/1", new { label = "Renamed field" }),
        ("DELETE", "/v3/custom_fields/2", null),
        ("GET", "/v3/purchases?page=1", null),
        ("GET", "/v3/purchases/1", null),
        ("POST", "/v3/purchases", new { purchase = new { transaction_id = "doc-1", email_address = "doc@example.com", currency = "USD", transaction_time = "2024-05-01T10:00:00Z", subtotal = 10, tax = 0, shipping = 0, discount = 0, total = 10, status = "paid", products = new[] { new { pid = 1, lid = 1, name = "Book", sku = "B", unit_price = 10, quantity = 1 } } } }),
        ("POST", "/v3/automations/hooks", new { target_url = "http://127.0.0.1:9/hook", @event = new { name = "subscriber.subscriber_activate" } }),
        ("GET", "/v3/automations/hooks", null),
        ("DELETE", "/v3/automations/hooks/1", null),
    ];

    [Theory, Providers]
    public async Task V3Document_DocumentsEveryParameterTheHandlersRead(string provider)
    {
        await using var app = await SeededAppAsync(provider);
        var document = await (await app.Http.GetAsync("/openapi/v3.json")).AssertStatusAsync(200);
        var documented = Operations(document).ToDictionary(o => o.Key, o => Documented(o.Op));

        var called = new HashSet<string>();
        var missing = new List<string>();
        foreach (var (method, url, body) in V3Calls)
        {
            var id = Guid.NewGuid().ToString("N");
            var separator = url.Contains('?') ? '&' : '?';
            using var request = new HttpRequestMessage(new HttpMethod(method), $"{url}{separator}api_secret={Secret}");
            request.Headers.Add(ParameterReadRecorder.Header, id);
            if (body is not null) request.Content = HttpAssert.Json(body);
            using var response = await app.Http.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{method} {url}: {(int)response.StatusCode}");

            var template = Template(document, method, url);
            called.Add(template);
            foreach (var name in ParameterReadRecorder.Reads[id].Except(["api_key", "api_secret"]))
                if (!documented[template].Contains(name)) missing.Add($"{template} reads '{name}'");
        }

        Assert.Empty(missing);
        // Every documented operation was called, so a new route needs a call here (and its parameters documented).
        Assert.Empty(documented.Keys.Except(called));
    }

    static HashSet<string> Documented(JsonNode op, JsonNode? document = null)
    {
        var names = new HashSet<string>();
        foreach (var p in op["parameters"]?.AsArray() ?? []) names.Add(p!["name"]!.GetValue<string>());
        foreach (var media in op["requestBody"]?["content"]?.AsObject() ?? [])
            foreach (var schema in Variants(Resolve(media.Value!["schema"], document), document))
                foreach (var property in schema?["properties"]?.AsObject() ?? [])
                    names.Add(property.Key);
        return names;
    }

    /// <summary>A schema's object variants: itself, and each of its oneOf/anyOf/allOf members, $refs followed.</summary>
    static IEnumerable<JsonNode?> Variants(JsonNode? schema, JsonNode? document)
    {
        yield return schema;
        foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
            foreach (var member in schema?[keyword]?.AsArray() ?? [])
                yield return Resolve(member, document);
    }

    static JsonNode? Resolve(JsonNode? schema, JsonNode? document)
    {
        if (document is null || schema?["$ref"] is not JsonValue reference) return schema;
        JsonNode? target = document;
        foreach (var part in reference.GetValue<string>().TrimStart('#', '/').Split('/')) target = target?[part];
        return target;
    }

    /// <summary>The document's path template a concrete URL matches (literal segments first).</summary>
    static string Template(JsonNode document, string method, string url)
    {
        var path = url.Split('?')[0];
        return Operations(document).Select(o => o.Key)
            .Where(k => k.StartsWith(method + " ", StringComparison.Ordinal))
            .Where(k => System.Text.RegularExpressions.Regex.IsMatch(method + " " + path,
                "^" + System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Escape(k), @"\\\{[^}]+}", "[^/]+") + "$"))
            .OrderBy(k => k.Count(c => c == '{')).First();
    }

    [Theory, Providers]
    public async Task V4Document_IsKitsDocument_NarrowedToRoutedOperations_AndPointedHere(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var routed = V4Document.RoutedOperations(app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>());

        var document = await (await app.Http.GetAsync("/openapi/v4.json")).AssertStatusAsync(200);

        var reference = V4Schema.Operations().Select(o => (o.Method, V4Document.Shape(o.Path))).ToHashSet();
        // Every /v4 route this server maps is one of Kit's operations...
        Assert.DoesNotContain(routed, r => !reference.Contains((r.Method, V4Document.Shape(r.Template))));
        // ...and the served document lists exactly the routed ones, each with Kit's summary and the common errors.
        var served = Operations(document).ToList();
        Assert.Equal(routed.Select(r => $"{r.Method} {V4Document.Shape(r.Template)}").Order(),
            served.Select(o => o.Key.Split(' ')[0] + " " + V4Document.Shape(o.Key.Split(' ')[1])).Order());
        foreach (var (key, op) in served)
        {
            Assert.False(string.IsNullOrWhiteSpace(op["summary"]?.GetValue<string>()), $"{key} has no summary");
            Assert.NotEmpty(op["tags"]!.AsArray());
            foreach (var status in new[] { "400", "401", "429" })
                Assert.True(op["responses"]!.AsObject().ContainsKey(status) || (status == "401" && key.Contains("/posts")), $"{key} does not declare {status}");
        }
        Assert.Equal("http://mailroom.test", document["servers"]![0]!["url"]!.GetValue<string>());
        Assert.Equal("http://mailroom.test/v4/oauth/token", document["components"]!["securitySchemes"]!["OAuth2"]!["flows"]!["authorizationCode"]!["tokenUrl"]!.GetValue<string>());
        Assert.Equal("X-Kit-Api-Key", document["components"]!["securitySchemes"]!["API Key"]!["name"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task V4Document_DocumentsEveryParameterTheHandlersRead(string provider)
    {
        await using var app = await SeededAppAsync(provider);
        var key = await V4Client.CreateKeyAsync(app, 1);
        var bearer = (await V4OAuth.MintAsync(app, (await V4OAuth.CreateAppAsync(app)).ClientId, 1)).AccessToken;
        var document = await (await app.Http.GetAsync("/openapi/v4.json")).AssertStatusAsync(200);

        var missing = new List<string>();
        foreach (var (template, op) in Operations(document))
        {
            var method = template.Split(' ')[0];
            var path = System.Text.RegularExpressions.Regex.Replace(template.Split(' ')[1], @"\{[^}]+\}", "1");
            var documented = Documented(op, document);
            var query = string.Join("&", (op["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == "query")
                .Where(p => p!["name"]!.GetValue<string>() is not ("after" or "before" or "[]"))
                .Select(p => $"{p!["name"]}={Uri.EscapeDataString(p["example"]?.ToString() ?? "1")}"));
            var body = op["requestBody"]?["content"]?["application/json"]?["example"]
                ?? op["requestBody"]?["content"]?["application/json"]?["examples"]?.AsObject().First().Value?["value"];
            var id = Guid.NewGuid().ToString("N");
            using var request = new HttpRequestMessage(new HttpMethod(method), query.Length > 0 ? $"{path}?{query}" : path);
            request.Headers.Add(ParameterReadRecorder.Header, id);
            var oauthOnly = op["security"]?.AsArray().All(s => s!.AsObject().ContainsKey("OAuth2")) == true;
            if (oauthOnly) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            else request.Headers.Add("X-Kit-Api-Key", key);
            if (body is not null) request.Content = HttpAssert.Json(body.ToJsonString());
            using var response = await app.Http.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{template}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            foreach (var name in ParameterReadRecorder.Reads.GetValueOrDefault(id, []))
                if (!documented.Contains(name)) missing.Add($"{template} reads '{name}'");
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

}
