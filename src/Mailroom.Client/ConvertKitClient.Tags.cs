using System.Text.Json.Nodes;

namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary><c>GET /v3/tags</c>: every tag.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<Tag>> ListTagsAsync(CancellationToken ct = default) =>
        (await GetAsync("tags", Scope.Key, ConvertKitJson.Default.TagsEnvelope, ct).ConfigureAwait(false)).Tags;

    /// <summary><c>POST /v3/tags</c> with one tag. A blank or taken name (any case) is a 422.</summary>
    /// <param name="name">The new tag's name.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Tag> CreateTagAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var body = Body(("tag", new JsonObject { ["name"] = name }));
        return SendJsonAsync(HttpMethod.Post, "tags", Scope.Key, body, ConvertKitJson.Default.Tag, idempotent: false, ct);
    }

    /// <summary>
    /// <c>POST /v3/tags</c> with several tags, answered in input order. Every name is checked first: one bad name
    /// creates none.
    /// </summary>
    /// <param name="names">The new tags' names.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<IReadOnlyList<Tag>> CreateTagsAsync(IEnumerable<string> names, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var tags = new JsonArray([.. names.Select(n => (JsonNode)new JsonObject { ["name"] = n })]);
        if (tags.Count == 0) throw new ArgumentException("At least one tag name is needed.", nameof(names));
        // Kit has not said whether a one-element array answers an array or an object; both are read.
        return SendForOneOrManyAsync("tags", Scope.Key, Body(("tag", tags)), ConvertKitJson.Default.Tag,
            ConvertKitJson.Default.ListTag, ct);
    }

    /// <summary><c>POST /v3/tags/{id}/subscribe</c>: tags an address, creating the subscriber if needed (active at once).</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="request">The address and optional first name, fields and more tags.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SubscribeResult> TagSubscriberAsync(long tagId, SubscribeRequest request, CancellationToken ct = default) =>
        SubscribeAsync($"tags/{Id(tagId)}/subscribe", request, ct);

    /// <summary><c>POST /v3/tags/{id}/unsubscribe</c>: removes a tag from the subscriber with this address. Requires the api_secret.</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="email">The subscriber's address.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The tag.</returns>
    public Task<Tag> UntagSubscriberByEmailAsync(long tagId, string email, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        // Removing a tag twice leaves the same state, so this POST may be retried.
        return SendJsonAsync(HttpMethod.Post, $"tags/{Id(tagId)}/unsubscribe", Scope.Secret, Body(("email", email)),
            ConvertKitJson.Default.Tag, idempotent: true, ct);
    }

    /// <summary><c>DELETE /v3/subscribers/{id}/tags/{tag_id}</c>: removes a tag from a subscriber. Requires the api_secret.</summary>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="tagId">The tag; a 404 when the subscriber does not carry it.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The removed tag.</returns>
    public Task<Tag> UntagSubscriberAsync(long subscriberId, long tagId, CancellationToken ct = default) =>
        SendWithQueryAsync(HttpMethod.Delete, $"subscribers/{Id(subscriberId)}/tags/{Id(tagId)}", Scope.Secret,
            ConvertKitJson.Default.Tag, ct);

    /// <summary><c>GET /v3/tags/{id}/subscriptions</c>: one page (50) of a tag's subscriptions. Requires the api_secret.</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="page">The page, from 1.</param>
    /// <param name="query">Order and state filter.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<PagedResult<Subscription>> ListTagSubscriptionsAsync(long tagId, int page = 1, SubscriptionQuery? query = null,
        CancellationToken ct = default) =>
        ListSubscriptionsAsync($"tags/{Id(tagId)}/subscriptions", page, query, ct);

    /// <summary>Every subscription of a tag, reading page after page as the enumeration goes. Requires the api_secret.</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="query">Order and state filter.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Subscription> ListAllTagSubscriptionsAsync(long tagId, SubscriptionQuery? query = null,
        CancellationToken ct = default) =>
        WalkPagesAsync((page, token) => ListTagSubscriptionsAsync(tagId, page, query, token), ct);
}
