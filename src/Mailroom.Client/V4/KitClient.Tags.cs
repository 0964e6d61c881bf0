namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/tags</c>: one page of tags.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Tag>> ListTagsAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("tags", "tags", KitJson.Default.ListTag, new Query().Page(page), ct);

    /// <summary>Every tag, page after page as the enumeration goes.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Tag> ListAllTagsAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListTagsAsync, perPage, ct);

    /// <summary>
    /// <c>POST /v4/tags</c>: creates a tag, or returns the one with this name in any case (Kit answers 200 then). A blank
    /// name is a 422.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Tag> CreateTagAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Idempotent on the name, so a retry after a transient failure cannot duplicate it.
        return SendJsonAsync(HttpMethod.Post, "tags", Body(("name", name)), "tag", KitJson.Default.Tag, idempotent: true, ct);
    }

    /// <summary><c>PUT /v4/tags/{id}</c>: renames a tag. A blank name or one another tag has is a 422.</summary>
    /// <param name="id">The tag.</param>
    /// <param name="name">The new name.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Tag> UpdateTagAsync(long id, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SendJsonAsync(HttpMethod.Put, $"tags/{Id(id)}", Body(("name", name)), "tag", KitJson.Default.Tag, idempotent: true, ct);
    }

    /// <summary><c>GET /v4/tags/{tag_id}/subscribers</c>: one page of a tag's subscribers.</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="query">Filters: state, creation and tagging windows.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<TaggedSubscriber>> ListTagSubscribersAsync(long tagId, MembershipQuery? query = null, PageRequest? page = null,
        CancellationToken ct = default) =>
        GetPageAsync($"tags/{Id(tagId)}/subscribers", "subscribers", KitJson.Default.ListTaggedSubscriber,
            MembershipFilters(query, "tagged").Add("slim", query?.Slim).Page(page), ct);

    /// <summary>Every subscriber of a tag the query matches, page after page as the enumeration goes.</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="query">Filters: state, creation and tagging windows.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<TaggedSubscriber> ListAllTagSubscribersAsync(long tagId, MembershipQuery? query = null, int? perPage = null,
        CancellationToken ct = default) =>
        WalkAsync((page, token) => ListTagSubscribersAsync(tagId, query, page, token), perPage, ct);

    /// <summary><c>POST /v4/tags/{tag_id}/subscribers</c>: tags the subscriber with this address (200 when already tagged).</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="emailAddress">The subscriber's address.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<TaggedSubscriber> TagSubscriberByEmailAsync(long tagId, string emailAddress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(emailAddress);
        return SendJsonAsync(HttpMethod.Post, $"tags/{Id(tagId)}/subscribers", Body(("email_address", emailAddress)), "subscriber",
            KitJson.Default.TaggedSubscriber, idempotent: true, ct);
    }

    /// <summary><c>POST /v4/tags/{tag_id}/subscribers/{id}</c>: tags a subscriber (200 when already tagged).</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<TaggedSubscriber> TagSubscriberAsync(long tagId, long subscriberId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, $"tags/{Id(tagId)}/subscribers/{Id(subscriberId)}", Body(), "subscriber",
            KitJson.Default.TaggedSubscriber, idempotent: true, ct);

    /// <summary>
    /// <c>DELETE /v4/tags/{tag_id}/subscribers</c>: removes a tag from the subscriber with this address. Kit's document
    /// declares no body for it, though it needs the address (its 422 says so): the address goes in the JSON body.
    /// </summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="emailAddress">The subscriber's address.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task UntagSubscriberByEmailAsync(long tagId, string emailAddress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(emailAddress);
        return SendWithoutResultAsync(HttpMethod.Delete, $"tags/{Id(tagId)}/subscribers", Body(("email_address", emailAddress)), ct);
    }

    /// <summary><c>DELETE /v4/tags/{tag_id}/subscribers/{id}</c>: removes a tag from a subscriber.</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task UntagSubscriberAsync(long tagId, long subscriberId, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"tags/{Id(tagId)}/subscribers/{Id(subscriberId)}", null, ct);
}
