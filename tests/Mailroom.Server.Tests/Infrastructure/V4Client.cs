using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Server.Domain.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Calls /v4 over the app's real HTTP pipeline as one credential (an API key or a bearer token), and checks every
/// answer against Kit's published document (<see cref="V4Schema"/>) for the operation it called.
/// </summary>
public sealed class V4Client(MailroomApp app, string? apiKey = null, string? bearer = null)
{
    public MailroomApp App => app;

    /// <summary>A fresh account with one v4 API key, and a client using that key.</summary>
    public static async Task<(TestAccount Account, V4Client Client)> ForNewAccountAsync(MailroomApp app, string name = "Acme Corp.", string email = "owner@acme.test")
    {
        var account = await app.CreateAccountAsync(name, email);
        return (account, new V4Client(app, await CreateKeyAsync(app, account.Id)));
    }

    public static async Task<string> CreateKeyAsync(MailroomApp app, long accountId, string? name = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(accountId, name, CancellationToken.None);
        return created!.Key;
    }

    public HttpRequestMessage Request(HttpMethod method, string url, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (apiKey is not null) request.Headers.Add("X-Kit-Api-Key", apiKey);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object? body = null) =>
        app.Http.SendAsync(Request(method, url, body));

    /// <summary>
    /// Sends the call, asserts the status, and validates the body against the document's schema for this operation
    /// and status (the path template is found from the URL). Returns the parsed body ({} for an empty one).
    /// </summary>
    public async Task<JsonNode> CallAsync(HttpMethod method, string url, int status, object? body = null)
    {
        using var response = await SendAsync(method, url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{method} {url}: expected {status}, got {(int)response.StatusCode}: {text}");
        var node = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
        if (text.Length > 0) Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "");
        V4Schema.AssertValid(method.Method, url, status, node);
        return node;
    }

    public Task<JsonNode> GetAsync(string url, int status = 200) => CallAsync(HttpMethod.Get, url, status);
    public Task<JsonNode> PostAsync(string url, object? body, int status) => CallAsync(HttpMethod.Post, url, status, body ?? new { });
    public Task<JsonNode> PutAsync(string url, object? body, int status = 200) => CallAsync(HttpMethod.Put, url, status, body ?? new { });
    public Task<JsonNode> DeleteAsync(string url, int status = 204, object? body = null) => CallAsync(HttpMethod.Delete, url, status, body);

    /// <summary>Asserts an error answer: the status and exactly these messages in <c>{"errors": [...]}</c>.</summary>
    public async Task AssertErrorAsync(HttpMethod method, string url, int status, object? body, params string[] messages)
    {
        var node = await CallAsync(method, url, status, body);
        var expected = new JsonObject { ["errors"] = new JsonArray([.. messages.Select(m => (JsonNode?)JsonValue.Create(m))]) };
        Assert.True(JsonNode.DeepEquals(expected, node), $"Expected {expected.ToJsonString()}, got {node.ToJsonString()}");
    }
}

/// <summary>OAuth credentials for tests, made the way an operator makes them: the CLI's apps create and apps token.</summary>
public static class V4OAuth
{
    public sealed record App(string ClientId, string ClientSecret);
    public sealed record Tokens(string AccessToken, string RefreshToken);

    public static async Task<App> CreateAppAsync(MailroomApp app, string name = "Test app", string redirectUri = "http://127.0.0.1:9/callback")
    {
        var created = await Cli.CliRunner.RunAsync(app.Database, "apps", "create", "--name", name, "--redirect-uri", redirectUri, "--json");
        created.AssertSuccess();
        var json = JsonNode.Parse(created.Output)!;
        return new App(json["client_id"]!.GetValue<string>(), json["client_secret"]!.GetValue<string>());
    }

    public static async Task<Tokens> MintAsync(MailroomApp app, string clientId, long accountId, string scope = "read write")
    {
        var minted = await Cli.CliRunner.RunAsync(app.Database, "apps", "token", "--client-id", clientId, "--account", accountId.ToString(), "--scope", scope);
        minted.AssertSuccess();
        var json = JsonNode.Parse(minted.Output)!;
        return new Tokens(json["access_token"]!.GetValue<string>(), json["refresh_token"]!.GetValue<string>());
    }

    /// <summary>A client calling /v4 with a fresh OAuth access token for the account (a new app each call).</summary>
    public static async Task<V4Client> ClientAsync(MailroomApp app, long accountId, string scope = "read write")
    {
        var registered = await CreateAppAsync(app);
        var tokens = await MintAsync(app, registered.ClientId, accountId, scope);
        return new V4Client(app, bearer: tokens.AccessToken);
    }
}
