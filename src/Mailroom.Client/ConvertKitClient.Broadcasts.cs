using System.Runtime.CompilerServices;

namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    // Kit pages broadcasts 50 at a time without saying how many pages there are.
    const int BroadcastPageSize = 50;

    /// <summary><c>GET /v3/broadcasts</c>: one page (50) of broadcasts, oldest first by default. Requires the api_secret.</summary>
    /// <param name="page">The page, from 1.</param>
    /// <param name="sortOrder">Order by creation time.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<BroadcastSummary>> ListBroadcastsAsync(int page = 1, SortOrder? sortOrder = null,
        CancellationToken ct = default)
    {
        var parameters = new Query().Add("page", PageNumber(page)).Add("sort_order", Text(sortOrder));
        return (await GetAsync("broadcasts", Scope.Secret, ConvertKitJson.Default.BroadcastsEnvelope, ct, parameters)
            .ConfigureAwait(false)).Broadcasts;
    }

    /// <summary>Every broadcast, reading page after page as the enumeration goes. Requires the api_secret.</summary>
    /// <param name="sortOrder">Order by creation time.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public async IAsyncEnumerable<BroadcastSummary> ListAllBroadcastsAsync(SortOrder? sortOrder = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        // No totals in this listing: a short page is the last one. Ids already seen end the walk too, so a server
        // that ignores `page` and answers the whole list each time is read once rather than forever.
        var seen = new HashSet<long>();
        for (var page = 1; ; page++)
        {
            var items = await ListBroadcastsAsync(page, sortOrder, ct).ConfigureAwait(false);
            var fresh = 0;
            foreach (var item in items)
            {
                if (!seen.Add(item.Id)) continue;
                fresh++;
                yield return item;
            }
            if (items.Count < BroadcastPageSize || fresh == 0) yield break;
        }
    }

    /// <summary><c>POST /v3/broadcasts</c>: creates a draft, or a scheduled broadcast when <see cref="BroadcastRequest.SendAt"/> is set. Requires the api_secret.</summary>
    /// <param name="request">The broadcast's fields, all optional.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Broadcast> CreateBroadcastAsync(BroadcastRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = ToBody(request, ConvertKitJson.Default.BroadcastRequest);
        return (await SendJsonAsync(HttpMethod.Post, "broadcasts", Scope.Secret, body, ConvertKitJson.Default.BroadcastEnvelope,
            idempotent: false, ct).ConfigureAwait(false)).Broadcast;
    }

    /// <summary><c>GET /v3/broadcasts/{id}</c>: one broadcast, draft, scheduled or sent. Requires the api_secret.</summary>
    /// <param name="broadcastId">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Broadcast> GetBroadcastAsync(long broadcastId, CancellationToken ct = default) =>
        (await GetAsync($"broadcasts/{Id(broadcastId)}", Scope.Secret, ConvertKitJson.Default.BroadcastEnvelope, ct)
            .ConfigureAwait(false)).Broadcast;

    /// <summary>
    /// <c>PUT /v3/broadcasts/{id}</c>: changes a draft or scheduled broadcast; what is null keeps its value. A broadcast that is
    /// sending or sent can't be changed (422). Requires the api_secret.
    /// </summary>
    /// <param name="broadcastId">The broadcast.</param>
    /// <param name="request">The changes.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Broadcast> UpdateBroadcastAsync(long broadcastId, BroadcastRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = ToBody(request, ConvertKitJson.Default.BroadcastRequest);
        return (await SendJsonAsync(HttpMethod.Put, $"broadcasts/{Id(broadcastId)}", Scope.Secret, body,
            ConvertKitJson.Default.BroadcastEnvelope, idempotent: true, ct).ConfigureAwait(false)).Broadcast;
    }

    /// <summary>
    /// <c>DELETE /v3/broadcasts/{id}</c>: deletes a draft or scheduled broadcast; one that is sending or sent can't be (422).
    /// Requires the api_secret.
    /// </summary>
    /// <param name="broadcastId">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteBroadcastAsync(long broadcastId, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"broadcasts/{Id(broadcastId)}", Scope.Secret, null, ct);

    /// <summary><c>GET /v3/broadcasts/{id}/stats</c>: a broadcast's delivery statistics. Requires the api_secret.</summary>
    /// <param name="broadcastId">The broadcast.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<BroadcastStats> GetBroadcastStatsAsync(long broadcastId, CancellationToken ct = default) =>
        (await GetAsync($"broadcasts/{Id(broadcastId)}/stats", Scope.Secret, ConvertKitJson.Default.BroadcastStatsEnvelope, ct)
            .ConfigureAwait(false)).Broadcast.Stats;
}
