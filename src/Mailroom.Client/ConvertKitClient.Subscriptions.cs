using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mailroom.Client;

// What forms, sequences and tags share: the subscribe call, the subscription listing and walking pages.
public sealed partial class ConvertKitClient
{
    async Task<SubscribeResult> SubscribeAsync(string path, SubscribeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = ToBody(request, ConvertKitJson.Default.SubscribeRequest);
        // Kit upserts the subscriber and answers the existing subscription on a repeat, so a retry is harmless.
        var envelope = await SendJsonAsync(HttpMethod.Post, path, Scope.Key, body, ConvertKitJson.Default.SubscribeEnvelope,
            idempotent: true, ct).ConfigureAwait(false);
        return envelope.Subscription;
    }

    async Task<PagedResult<Subscription>> ListSubscriptionsAsync(string path, int page, SubscriptionQuery? query, CancellationToken ct)
    {
        var parameters = new Query()
            .Add("page", PageNumber(page))
            .Add("sort_order", Text(query?.SortOrder))
            .Add("subscriber_state", query?.SubscriberState switch
            {
                SubscriptionState.Active => "active",
                SubscriptionState.Cancelled => "cancelled",
                _ => null,
            });
        var envelope = await GetAsync(path, Scope.Secret, ConvertKitJson.Default.SubscriptionsEnvelope, ct, parameters).ConfigureAwait(false);
        return new PagedResult<Subscription>(envelope.Page, envelope.TotalPages, envelope.TotalSubscriptions, envelope.Subscriptions);
    }

    /// <summary>
    /// Every item of a paged listing, one page at a time. Pages are read as they are needed, so items added or removed
    /// meanwhile can shift a later page: the walk sees a live listing, not a snapshot.
    /// </summary>
    static async IAsyncEnumerable<T> WalkPagesAsync<T>(Func<int, CancellationToken, Task<PagedResult<T>>> readPage,
        [EnumeratorCancellation] CancellationToken ct)
    {
        for (var page = 1; ; page++)
        {
            var result = await readPage(page, ct).ConfigureAwait(false);
            foreach (var item in result.Items) yield return item;
            if (result.Items.Count == 0 || page >= result.TotalPages) yield break;
        }
    }

    static long PageNumber(int page) =>
        page >= 1 ? page : throw new ArgumentOutOfRangeException(nameof(page), page, "Pages are numbered from 1.");

    static JsonObject ToBody<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.SerializeToNode(value, type)?.AsObject() ?? [];
}
