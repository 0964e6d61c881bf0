using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Mailroom.Client;

/// <summary>
/// A typed client for the ConvertKit (Kit) API v3: one async method per endpoint, grouped by resource.
/// It works against Kit (the default <see cref="ConvertKitClientOptions.BaseAddress"/>) and against a Mailroom server.
/// </summary>
/// <remarks>
/// Credentials go where Kit's own clients put them: in the query string for GET and DELETE, in the JSON body for POST
/// and PUT. Each call sends the least credential Kit accepts for it (the <c>api_key</c> where allowed, the
/// <c>api_secret</c> only where required). Every non-2xx answer throws <see cref="ConvertKitApiException"/>; an answer
/// that does not match the documented shape throws <see cref="JsonException"/>. Retries come from the
/// <see cref="HttpClient"/>'s handlers: register with <see cref="ServiceCollectionExtensions.AddConvertKitClient"/>, or build
/// the client over <c>new HttpClient(ConvertKitResilience.CreateHandler())</c>.
/// </remarks>
public sealed partial class ConvertKitClient
{
    readonly HttpClient _http;
    readonly ConvertKitClientOptions _options;
    readonly Uri _baseAddress;

    /// <summary>Creates a client over <paramref name="httpClient"/>; its own <see cref="HttpClient.BaseAddress"/> is not used.</summary>
    /// <param name="httpClient">The HTTP client to send with (add <see cref="ConvertKitResilience.CreateHandler"/> for retries).</param>
    /// <param name="options">Base address and credentials. Read once, here.</param>
    public ConvertKitClient(HttpClient httpClient, ConvertKitClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.BaseAddress.IsAbsoluteUri) throw new ArgumentException("BaseAddress must be an absolute URI.", nameof(options));
        _http = httpClient;
        _options = options;
        // Relative paths resolve under the last segment only when it ends in '/': ".../v3" + "tags" would give "/tags".
        var root = options.BaseAddress.AbsoluteUri;
        _baseAddress = new Uri(root.EndsWith('/') ? root : root + "/");
    }

    /// <summary>Which credential a route needs at least (spec §1.2).</summary>
    enum Scope { Key, Secret }

    /// <summary>Query parameters of one call; null values are left out.</summary>
    sealed class Query : List<KeyValuePair<string, string>>
    {
        public Query Add(string name, string? value)
        {
            if (value is not null) Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public Query Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));
    }

    Task<T> GetAsync<T>(string path, Scope scope, JsonTypeInfo<T> type, CancellationToken ct, Query? query = null) =>
        SendWithQueryAsync(HttpMethod.Get, path, scope, type, ct, query);

    async Task<T> SendWithQueryAsync<T>(HttpMethod method, string path, Scope scope, JsonTypeInfo<T> type, CancellationToken ct,
        Query? query = null)
    {
        using var response = await SendAsync(method, path, scope, query, null, idempotent: true, ct).ConfigureAwait(false);
        return await ReadAsync(response, type, ct).ConfigureAwait(false);
    }

    async Task<T> SendJsonAsync<T>(HttpMethod method, string path, Scope scope, JsonObject body, JsonTypeInfo<T> type,
        bool idempotent, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, scope, null, body, idempotent, ct).ConfigureAwait(false);
        return await ReadAsync(response, type, ct).ConfigureAwait(false);
    }

    /// <summary>For the answers whose body carries nothing (204 No Content, <c>{"success": true}</c>).</summary>
    async Task SendWithoutResultAsync(HttpMethod method, string path, Scope scope, JsonObject? body, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, scope, null, body, idempotent: true, ct).ConfigureAwait(false);
    }

    /// <summary>An answer that is an object for one item and an array for several (tag and custom-field creation).</summary>
    async Task<IReadOnlyList<T>> SendForOneOrManyAsync<T>(string path, Scope scope, JsonObject body, JsonTypeInfo<T> one,
        JsonTypeInfo<List<T>> many, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, path, scope, null, body, idempotent: false, ct).ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false),
            cancellationToken: ct).ConfigureAwait(false);
        return json.RootElement.ValueKind == JsonValueKind.Array
            ? json.RootElement.Deserialize(many) ?? []
            : [json.RootElement.Deserialize(one) ?? throw new JsonException($"The answer to POST {path} was null.")];
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Scope scope, Query? query, JsonObject? body,
        bool idempotent, CancellationToken ct)
    {
        var (name, value) = Credential(scope);
        query ??= [];
        if (body is null)
        {
            query.Add(name, value);
            query.Add("integration_key", _options.IntegrationKey);
        }
        else
        {
            body[name] = value;
            if (_options.IntegrationKey is { } integration) body["integration_key"] = integration;
        }

        // Not disposed here: the response returned to the caller still refers to it.
        var request = new HttpRequestMessage(method, BuildUri(path, query));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Options.Set(ConvertKitResilience.Idempotent, idempotent);
        if (body is not null)
        {
            // Buffered bytes, so a retry can send the same content again.
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            request.Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } };
        }

        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ConvertKitApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
    }

    (string Name, string Value) Credential(Scope scope)
    {
        if (scope == Scope.Secret)
            return ("api_secret", _options.ApiSecret ?? throw new InvalidOperationException(
                "This ConvertKit call requires the api_secret: set ConvertKitClientOptions.ApiSecret."));
        if (_options.ApiKey is { } key) return ("api_key", key);
        // Kit accepts the secret wherever it accepts the key (spec §1.2).
        if (_options.ApiSecret is { } secret) return ("api_secret", secret);
        throw new InvalidOperationException("Set ConvertKitClientOptions.ApiKey or ApiSecret before calling ConvertKit.");
    }

    Uri BuildUri(string path, Query query)
    {
        if (query.Count == 0) return new Uri(_baseAddress, path);
        var text = new StringBuilder(path).Append('?');
        for (var i = 0; i < query.Count; i++)
        {
            if (i > 0) text.Append('&');
            text.Append(Uri.EscapeDataString(query[i].Key)).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }
        return new Uri(_baseAddress, text.ToString());
    }

    static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false)
            ?? throw new JsonException($"The answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} was null.");

    static JsonObject Body(params (string Name, JsonNode? Value)[] properties)
    {
        var body = new JsonObject();
        foreach (var (name, value) in properties)
            if (value is not null) body[name] = value;
        return body;
    }

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    static string? Text(SortOrder? order) => order switch
    {
        SortOrder.Ascending => "asc",
        SortOrder.Descending => "desc",
        _ => null,
    };
}
