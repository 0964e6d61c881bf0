namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/broadcasts</c>: one page of broadcasts, newest first.</summary>
    /// <param name="query">Filters: send window, status, slim.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Broadcast>> ListBroadcastsAsync(BroadcastQuery? query = null, PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("broadcasts", "broadcasts", KitJson.Default.ListBroadcast, BroadcastFilters(query).Add("slim", query?.Slim).Page(page), ct);

    /// <summary>Every broadcast the query matches, page after page as the enumeration goes.</summary>
    /// <param name="query">Filters: send window, status, slim.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Broadcast> ListAllBroadcastsAsync(BroadcastQuery? query = null, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListBroadcastsAsync(query, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/broadcasts</c>: creates a broadcast; a draft unless <see cref="BroadcastRequest.SendAt"/> is set. An
    /// unknown template or more than one filter group is a 422.
    /// </summary>
    /// <param name="request">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Broadcast> CreateBroadcastAsync(BroadcastRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Post, "broadcasts", ToBody(request, KitJson.Default.BroadcastRequest), "broadcast",
            KitJson.Default.Broadcast, idempotent: false, ct);
    }

    /// <summary><c>GET /v4/broadcasts/{id}</c>: one broadcast.</summary>
    /// <param name="id">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Broadcast> GetBroadcastAsync(long id, CancellationToken ct = default) =>
        GetAsync($"broadcasts/{Id(id)}", "broadcast", KitJson.Default.Broadcast, ct);

    /// <summary><c>PUT /v4/broadcasts/{id}</c>: changes a broadcast; what is null stays.</summary>
    /// <param name="id">The broadcast.</param>
    /// <param name="request">The changes.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Broadcast> UpdateBroadcastAsync(long id, BroadcastRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync(HttpMethod.Put, $"broadcasts/{Id(id)}", ToBody(request, KitJson.Default.BroadcastRequest), "broadcast",
            KitJson.Default.Broadcast, idempotent: true, ct);
    }

    /// <summary><c>DELETE /v4/broadcasts/{id}</c>: deletes a broadcast; one that is sending is a 422.</summary>
    /// <param name="id">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteBroadcastAsync(long id, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"broadcasts/{Id(id)}", null, ct);

    /// <summary><c>GET /v4/broadcasts/{broadcast_id}/stats</c>: one broadcast's stats.</summary>
    /// <param name="id">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<BroadcastStats> GetBroadcastStatsAsync(long id, CancellationToken ct = default) =>
        (await GetAsync($"broadcasts/{Id(id)}/stats", "broadcast", KitJson.Default.BroadcastStatsItem, ct).ConfigureAwait(false)).Stats;

    /// <summary><c>GET /v4/broadcasts/stats</c>: one page of broadcasts' stats.</summary>
    /// <param name="query">Filters: send window, status.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<BroadcastStatsItem>> ListBroadcastsStatsAsync(BroadcastQuery? query = null, PageRequest? page = null,
        CancellationToken ct = default) =>
        GetPageAsync("broadcasts/stats", "broadcasts", KitJson.Default.ListBroadcastStatsItem, BroadcastFilters(query).Page(page), ct);

    /// <summary>Every broadcast's stats, page after page as the enumeration goes.</summary>
    /// <param name="query">Filters: send window, status.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<BroadcastStatsItem> ListAllBroadcastsStatsAsync(BroadcastQuery? query = null, int? perPage = null,
        CancellationToken ct = default) =>
        WalkAsync((page, token) => ListBroadcastsStatsAsync(query, page, token), perPage, ct);

    /// <summary><c>GET /v4/broadcasts/{broadcast_id}/clicks</c>: one page of a broadcast's links and their clicks.</summary>
    /// <param name="id">The broadcast.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<CursorPage<LinkClicks>> GetBroadcastClicksAsync(long id, PageRequest? page = null, CancellationToken ct = default)
    {
        // The one list whose items are nested: {"broadcast": {"id", "clicks": [...]}, "pagination": {...}}.
        using var response = await SendAsync(HttpMethod.Get, $"broadcasts/{Id(id)}/clicks", new Query().Page(page), null,
            idempotent: true, ct).ConfigureAwait(false);
        using var json = await ParseAsync(response, ct).ConfigureAwait(false);
        var body = Read(Property(json.RootElement, "broadcast", response), KitJson.Default.BroadcastClicksBody, response);
        return new CursorPage<LinkClicks>(body.Clicks,
            Read(Property(json.RootElement, "pagination", response), KitJson.Default.Pagination, response));
    }

    /// <summary>Every link of a broadcast with its clicks, page after page as the enumeration goes.</summary>
    /// <param name="id">The broadcast.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<LinkClicks> ListAllBroadcastClicksAsync(long id, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => GetBroadcastClicksAsync(id, page, token), perPage, ct);

    static Query BroadcastFilters(BroadcastQuery? query) => new Query()
        .Add("sent_after", query?.SentAfter)
        .Add("sent_before", query?.SentBefore)
        .Add("status", query?.Status);
}
