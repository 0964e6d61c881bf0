namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary><c>GET /v3/sequences</c>: every sequence.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<Sequence>> ListSequencesAsync(CancellationToken ct = default) =>
        (await GetAsync("sequences", Scope.Key, ConvertKitJson.Default.CoursesEnvelope, ct).ConfigureAwait(false)).Courses;

    /// <summary><c>POST /v3/sequences/{id}/subscribe</c>: subscribes an address to a sequence (active at once).</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="request">The address and optional first name, fields and tags.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SubscribeResult> SubscribeToSequenceAsync(long sequenceId, SubscribeRequest request, CancellationToken ct = default) =>
        SubscribeAsync($"sequences/{Id(sequenceId)}/subscribe", request, ct);

    /// <summary><c>GET /v3/sequences/{id}/subscriptions</c>: one page (50) of a sequence's subscriptions. Requires the api_secret.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="page">The page, from 1.</param>
    /// <param name="query">Order and state filter.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<PagedResult<Subscription>> ListSequenceSubscriptionsAsync(long sequenceId, int page = 1, SubscriptionQuery? query = null,
        CancellationToken ct = default) =>
        ListSubscriptionsAsync($"sequences/{Id(sequenceId)}/subscriptions", page, query, ct);

    /// <summary>Every subscription of a sequence, reading page after page as the enumeration goes. Requires the api_secret.</summary>
    /// <param name="sequenceId">The sequence.</param>
    /// <param name="query">Order and state filter.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Subscription> ListAllSequenceSubscriptionsAsync(long sequenceId, SubscriptionQuery? query = null,
        CancellationToken ct = default) =>
        WalkPagesAsync((page, token) => ListSequenceSubscriptionsAsync(sequenceId, page, query, token), ct);
}
