using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Mailroom.Client.V4;

/// <summary>
/// A typed client for Kit's API v4: one async method per operation of Kit's published document, grouped by resource.
/// It works against Kit (the default <see cref="KitClientOptions.BaseAddress"/>) and against a Mailroom server.
/// </summary>
/// <remarks>
/// The credential is an API key (<c>X-Kit-Api-Key</c>) or an OAuth session (<c>Authorization: Bearer</c>, refreshed and
/// rotated by the client, see <see cref="KitOAuthSession"/>). Cursor lists come as one page
/// (<c>List…Async(…, PageRequest?)</c>) or as every item (<c>ListAll…Async</c>, an <see cref="IAsyncEnumerable{T}"/> that
/// follows <c>end_cursor</c> while <c>has_next_page</c>). Every non-2xx answer throws <see cref="ConvertKitApiException"/>
/// with v4's messages in <see cref="ConvertKitApiException.Errors"/>; an answer that does not match the documented shape
/// throws <see cref="JsonException"/>. Retries come from the <see cref="HttpClient"/>'s handlers, as for
/// <see cref="ConvertKitClient"/>: register with <see cref="ServiceCollectionExtensions.AddKitClient"/>, or build the
/// client over <c>new HttpClient(ConvertKitResilience.CreateHandler())</c>.
/// </remarks>
public sealed partial class KitClient
{
    readonly HttpClient _http;
    readonly Uri _baseAddress;
    readonly string? _apiKey;
    readonly KitOAuthSession? _oauth;
    readonly Uri? _tokenEndpoint;
    readonly TimeProvider _time;

    /// <summary>Creates a client over <paramref name="httpClient"/>; its own <see cref="HttpClient.BaseAddress"/> is not used.</summary>
    /// <param name="httpClient">The HTTP client to send with (add <see cref="ConvertKitResilience.CreateHandler"/> for retries).</param>
    /// <param name="options">Base address and credential. Read once, here.</param>
    /// <param name="timeProvider">The clock that decides when an access token has expired; <see cref="TimeProvider.System"/> when null.</param>
    public KitClient(HttpClient httpClient, KitClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.BaseAddress.IsAbsoluteUri) throw new ArgumentException("BaseAddress must be an absolute URI.", nameof(options));
        if ((options.ApiKey is null) == (options.OAuth is null))
            throw new ArgumentException("Set exactly one of KitClientOptions.ApiKey and KitClientOptions.OAuth.", nameof(options));
        _http = httpClient;
        // Relative paths resolve under the last segment only when it ends in '/': ".../v4" + "tags" would give "/tags".
        var root = options.BaseAddress.AbsoluteUri;
        _baseAddress = new Uri(root.EndsWith('/') ? root : root + "/");
        _apiKey = options.ApiKey;
        _oauth = options.OAuth;
        _tokenEndpoint = _oauth is null ? null : _oauth.TokenEndpoint ?? new Uri(_baseAddress, "oauth/token");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Query parameters of one call; null values are left out.</summary>
    sealed class Query : List<KeyValuePair<string, string>>
    {
        public Query Add(string name, string? value)
        {
            if (value is not null) Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public Query Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));
        public Query Add(string name, bool? value) => Add(name, value is { } b ? (b ? "true" : "false") : null);
        public Query Add(string name, DateTimeOffset? value) => Add(name, Timestamp(value));
        public Query Add(string name, SortOrder? value) => Add(name, value switch
        {
            SortOrder.Ascending => "asc",
            SortOrder.Descending => "desc",
            _ => null,
        });

        public Query Add(string name, SubscriberStatus? value) => Add(name, value?.ToString().ToLowerInvariant());

        public Query Page(PageRequest? page)
        {
            if (page is null) return this;
            if (page.PerPage is < 1) throw new ArgumentOutOfRangeException(nameof(page), page.PerPage, "per_page is at least 1.");
            return Add("after", page.After).Add("before", page.Before).Add("per_page", page.PerPage)
                .Add("include_total_count", page.IncludeTotalCount ? true : null);
        }
    }

    // ---- reading answers -------------------------------------------------------------------------------------------

    /// <summary>GET <paramref name="path"/> and read the object under <paramref name="key"/> (Kit wraps every object).</summary>
    async Task<T> GetAsync<T>(string path, string key, JsonTypeInfo<T> type, CancellationToken ct, Query? query = null)
    {
        using var response = await SendAsync(HttpMethod.Get, path, query, null, idempotent: true, ct).ConfigureAwait(false);
        return await ReadAsync(response, key, type, ct).ConfigureAwait(false);
    }

    async Task<CursorPage<T>> GetPageAsync<T>(string path, string key, JsonTypeInfo<List<T>> type, Query query, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, query, null, idempotent: true, ct).ConfigureAwait(false);
        return await ReadPageAsync(response, key, type, ct).ConfigureAwait(false);
    }

    async Task<T> SendJsonAsync<T>(HttpMethod method, string path, JsonNode body, string key, JsonTypeInfo<T> type,
        bool idempotent, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, null, Bytes(body), idempotent, ct).ConfigureAwait(false);
        return await ReadAsync(response, key, type, ct).ConfigureAwait(false);
    }

    /// <summary>For the 204 answers.</summary>
    async Task SendWithoutResultAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, null, body is null ? null : Bytes(body), idempotent: true, ct)
            .ConfigureAwait(false);
    }

    static async Task<JsonDocument> ParseAsync(HttpResponseMessage response, CancellationToken ct) =>
        await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct)
            .ConfigureAwait(false);

    static async Task<T> ReadAsync<T>(HttpResponseMessage response, string key, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var json = await ParseAsync(response, ct).ConfigureAwait(false);
        return Read(Property(json.RootElement, key, response), type, response);
    }

    static async Task<CursorPage<T>> ReadPageAsync<T>(HttpResponseMessage response, string key, JsonTypeInfo<List<T>> type, CancellationToken ct)
    {
        using var json = await ParseAsync(response, ct).ConfigureAwait(false);
        return new CursorPage<T>(Read(Property(json.RootElement, key, response), type, response),
            Read(Property(json.RootElement, "pagination", response), KitJson.Default.Pagination, response));
    }

    static T Read<T>(JsonElement element, JsonTypeInfo<T> type, HttpResponseMessage response) =>
        element.Deserialize(type) ?? throw new JsonException($"{Describe(response)}: a documented object was null.");

    static JsonElement Property(JsonElement root, string key, HttpResponseMessage response) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(key, out var value)
            ? value
            : throw new JsonException($"{Describe(response)}: the answer has no \"{key}\".");

    static string Describe(HttpResponseMessage response) =>
        $"The answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";

    /// <summary>
    /// Every item of a cursor list: reads a page, then the next one after its <c>end_cursor</c> while <c>has_next_page</c>.
    /// Pages are read as the enumeration goes.
    /// </summary>
    static async IAsyncEnumerable<T> WalkAsync<T>(Func<PageRequest, CancellationToken, Task<CursorPage<T>>> readPage, int? perPage,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new PageRequest { PerPage = perPage };
        while (true)
        {
            var page = await readPage(request, ct).ConfigureAwait(false);
            foreach (var item in page.Items) yield return item;
            // A server that says "more" but gives no cursor would loop forever on the same page.
            if (!page.Pagination.HasNextPage || page.Pagination.EndCursor is not { Length: > 0 } end || end == request.After) yield break;
            request = request with { After = end };
        }
    }

    // ---- sending -----------------------------------------------------------------------------------------------------

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Query? query, byte[]? body, bool idempotent,
        CancellationToken ct)
    {
        var uri = BuildUri(path, query);
        if (_oauth is null)
            return await SendCheckedAsync(method, uri, body, idempotent, null, ct).ConfigureAwait(false);

        var tokens = _oauth.Tokens;
        if (_oauth.IsExpiring(tokens, _time))
            tokens = await _oauth.RefreshAsync(tokens.AccessToken, ExchangeAsync, ct).ConfigureAwait(false);
        var response = await SendOnceAsync(method, uri, body, idempotent, tokens.AccessToken, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            // Expired or revoked early: refresh once (or take the pair another call just got) and send again. A second
            // 401 is the answer.
            response.Dispose();
            tokens = await _oauth.RefreshAsync(tokens.AccessToken, ExchangeAsync, ct).ConfigureAwait(false);
            response = await SendOnceAsync(method, uri, body, idempotent, tokens.AccessToken, ct).ConfigureAwait(false);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ConvertKitApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
    }

    async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, Uri uri, byte[]? body, bool idempotent, string? bearer,
        CancellationToken ct)
    {
        var response = await SendOnceAsync(method, uri, body, idempotent, bearer, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ConvertKitApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
    }

    Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri uri, byte[]? body, bool idempotent, string? bearer,
        CancellationToken ct)
    {
        // Not disposed here: the response returned to the caller still refers to it.
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        else request.Headers.TryAddWithoutValidation("X-Kit-Api-Key", _apiKey);
        request.Options.Set(ConvertKitResilience.Idempotent, idempotent);
        if (body is not null)
        {
            // Buffered bytes, so a retry (or the resend after a refresh) can send the same content again.
            request.Content = new ByteArrayContent(body)
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
            };
        }
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>
    /// The refresh itself (RFC 6749 §6): a form POST of <c>grant_type=refresh_token</c>, the refresh token and the app's
    /// id (and secret). A refusal (<c>invalid_grant</c> for a used or revoked token) throws <see cref="ConvertKitApiException"/>.
    /// </summary>
    async Task<KitOAuthTokens> ExchangeAsync(KitOAuthTokens current, CancellationToken ct)
    {
        var session = _oauth!;
        List<KeyValuePair<string, string>> form =
        [
            new("grant_type", "refresh_token"),
            new("refresh_token", current.RefreshToken),
            new("client_id", session.ClientId),
        ];
        if (session.ClientSecret is { } secret) form.Add(new("client_secret", secret));
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // A refresh token is single-use: after a failure the server may have half-processed, sending it again could
        // only be refused, so only a 429 is retried.
        request.Options.Set(ConvertKitResilience.Idempotent, false);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ConvertKitApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
        var answer = await ReadRootAsync(response, KitJson.Default.TokenAnswer, ct).ConfigureAwait(false);
        return new KitOAuthTokens(answer.AccessToken,
            // A server that does not rotate leaves the refresh token out: the old one stays valid.
            answer.RefreshToken ?? current.RefreshToken,
            answer.ExpiresIn is { } seconds ? _time.GetUtcNow().AddSeconds(seconds) : null);
    }

    static async Task<T> ReadRootAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var json = await ParseAsync(response, ct).ConfigureAwait(false);
        return Read(json.RootElement, type, response);
    }

    Uri BuildUri(string path, Query? query)
    {
        if (query is null || query.Count == 0) return new Uri(_baseAddress, path);
        var text = new StringBuilder(path).Append('?');
        for (var i = 0; i < query.Count; i++)
        {
            if (i > 0) text.Append('&');
            text.Append(Uri.EscapeDataString(query[i].Key)).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }
        return new Uri(_baseAddress, text.ToString());
    }

    static byte[] Bytes(JsonNode body) => Encoding.UTF8.GetBytes(body.ToJsonString());

    static JsonObject ToBody<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToNode(value, type)?.AsObject() ?? [];

    static JsonObject Body(params (string Name, JsonNode? Value)[] properties)
    {
        var body = new JsonObject();
        foreach (var (name, value) in properties)
            if (value is not null) body[name] = value;
        return body;
    }

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Kit's v4 timestamp form, whole seconds in UTC: <c>2023-02-17T11:43:55Z</c>.</summary>
    static string? Timestamp(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
