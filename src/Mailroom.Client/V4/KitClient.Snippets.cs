namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/snippets</c>: one page of snippets (unarchived unless the query says otherwise).</summary>
    /// <param name="query">Filters: type, archived, content.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Snippet>> ListSnippetsAsync(SnippetQuery? query = null, PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("snippets", "snippets", KitJson.Default.ListSnippet, new Query()
            .Add("snippet_type", query?.SnippetType)
            .Add("archived", query?.Archived)
            .Add("include_content", query?.IncludeContent)
            .Page(page), ct);

    /// <summary>Every snippet the query matches, page after page as the enumeration goes.</summary>
    /// <param name="query">Filters: type, archived, content.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Snippet> ListAllSnippetsAsync(SnippetQuery? query = null, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListSnippetsAsync(query, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/snippets</c>: creates a snippet (<see cref="SnippetRequest.Inline"/> or <see cref="SnippetRequest.Block"/>).
    /// A blank name or a circular reference is a 422.
    /// </summary>
    /// <param name="request">The snippet.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Snippet> CreateSnippetAsync(SnippetRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Post, "snippets", ToBody(request, KitJson.Default.SnippetRequest), "snippet",
            KitJson.Default.Snippet, idempotent: false, ct);
    }

    /// <summary><c>GET /v4/snippets/{id}</c>: one snippet with its content.</summary>
    /// <param name="id">The snippet.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Snippet> GetSnippetAsync(long id, CancellationToken ct = default) =>
        GetAsync($"snippets/{Id(id)}", "snippet", KitJson.Default.Snippet, ct);

    /// <summary>
    /// <c>PUT /v4/snippets/{id}</c>: renames, rewrites, archives or restores a snippet; what is null stays. Its type is
    /// fixed: another type is a 422.
    /// </summary>
    /// <param name="id">The snippet.</param>
    /// <param name="request">The changes.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Snippet> UpdateSnippetAsync(long id, SnippetRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Put, $"snippets/{Id(id)}", ToBody(request, KitJson.Default.SnippetRequest), "snippet",
            KitJson.Default.Snippet, idempotent: true, ct);
    }
}
