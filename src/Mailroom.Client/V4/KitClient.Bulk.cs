using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Mailroom.Client.V4;

// The /v4/bulk operations: OAuth only (an API key is a 401). Up to 100 items are done at once and answered (200); more are
// queued (202) and the result is POSTed to callbackUrl. Every one is an upsert or a set operation, so a retry after a
// transient failure does no harm.
public sealed partial class KitClient
{
    /// <summary><c>POST /v4/bulk/custom_fields</c>: creates custom fields. Kit's document gives no shape for a failure here.</summary>
    /// <param name="labels">The labels.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<CustomField, JsonElement>> BulkCreateCustomFieldsAsync(IEnumerable<string> labels, string? callbackUrl = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var items = new JsonArray([.. labels.Select(l => (JsonNode)new JsonObject { ["label"] = l })]);
        return BulkAsync(HttpMethod.Post, "bulk/custom_fields", Body(("custom_fields", items), ("callback_url", callbackUrl)),
            "custom_fields", KitJson.Default.ListCustomField, KitJson.Default.ListJsonElement, ct);
    }

    /// <summary><c>POST /v4/bulk/custom_fields/subscribers</c>: sets custom-field values of many subscribers.</summary>
    /// <param name="values">The values.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<CustomFieldValue, CustomFieldValueFailure>> BulkUpdateCustomFieldValuesAsync(IEnumerable<CustomFieldValue> values,
        string? callbackUrl = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        // The document lists callback_url as required (nullable): it is always sent, null when not given.
        var body = Body(("custom_field_values", JsonSerializer.SerializeToNode([.. values], KitJson.Default.ListCustomFieldValue)));
        body["callback_url"] = callbackUrl;
        return BulkAsync(HttpMethod.Post, "bulk/custom_fields/subscribers", body, "custom_field_values",
            KitJson.Default.ListCustomFieldValue, KitJson.Default.ListCustomFieldValueFailure, ct);
    }

    /// <summary><c>POST /v4/bulk/forms/subscribers</c>: adds subscribers to forms.</summary>
    /// <param name="additions">Which subscriber to which form.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<BulkFormSubscriber, FormAdditionFailure>> BulkAddSubscribersToFormsAsync(IEnumerable<FormAddition> additions,
        string? callbackUrl = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(additions);
        return BulkAsync(HttpMethod.Post, "bulk/forms/subscribers",
            Body(("additions", JsonSerializer.SerializeToNode([.. additions], KitJson.Default.ListFormAddition)), ("callback_url", callbackUrl)),
            "subscribers", KitJson.Default.ListBulkFormSubscriber, KitJson.Default.ListFormAdditionFailure, ct);
    }

    /// <summary>
    /// <c>POST /v4/bulk/subscribers</c>: creates or updates subscribers by address. More than the account's subscriber
    /// limit allows is a 403.
    /// </summary>
    /// <param name="subscribers">The subscribers.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<BulkCreatedSubscriber, BulkSubscriberFailure>> BulkCreateSubscribersAsync(IEnumerable<BulkSubscriber> subscribers,
        string? callbackUrl = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(subscribers);
        return BulkAsync(HttpMethod.Post, "bulk/subscribers",
            Body(("subscribers", JsonSerializer.SerializeToNode([.. subscribers], KitJson.Default.ListBulkSubscriber)), ("callback_url", callbackUrl)),
            "subscribers", KitJson.Default.ListBulkCreatedSubscriber, KitJson.Default.ListBulkSubscriberFailure, ct);
    }

    /// <summary><c>POST /v4/bulk/tags</c>: creates tags, or returns the existing ones with these names.</summary>
    /// <param name="names">The names.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<Tag, JsonElement>> BulkCreateTagsAsync(IEnumerable<string> names, string? callbackUrl = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var items = new JsonArray([.. names.Select(n => (JsonNode)new JsonObject { ["name"] = n })]);
        return BulkAsync(HttpMethod.Post, "bulk/tags", Body(("tags", items), ("callback_url", callbackUrl)), "tags",
            KitJson.Default.ListTag, KitJson.Default.ListJsonElement, ct);
    }

    /// <summary><c>POST /v4/bulk/tags/subscribers</c>: tags subscribers.</summary>
    /// <param name="taggings">Which tag to which subscriber.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<BulkTaggedSubscriber, TaggingFailure>> BulkTagSubscribersAsync(IEnumerable<Tagging> taggings, string? callbackUrl = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(taggings);
        return BulkAsync(HttpMethod.Post, "bulk/tags/subscribers",
            Body(("taggings", JsonSerializer.SerializeToNode([.. taggings], KitJson.Default.ListTagging)), ("callback_url", callbackUrl)),
            "subscribers", KitJson.Default.ListBulkTaggedSubscriber, KitJson.Default.ListTaggingFailure, ct);
    }

    /// <summary>
    /// <c>DELETE /v4/bulk/tags/subscribers</c>: removes tags from subscribers. Kit answers only the failures, so
    /// <see cref="BulkResult{TItem, TFailure}.Items"/> is always empty. The document declares no body, though the
    /// taggings are needed (its 422 says so): they go in the JSON body.
    /// </summary>
    /// <param name="taggings">Which tag from which subscriber.</param>
    /// <param name="callbackUrl">Where Kit POSTs the result when queued.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BulkResult<Tagging, TaggingFailure>> BulkUntagSubscribersAsync(IEnumerable<Tagging> taggings, string? callbackUrl = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(taggings);
        return BulkAsync(HttpMethod.Delete, "bulk/tags/subscribers",
            Body(("taggings", JsonSerializer.SerializeToNode([.. taggings], KitJson.Default.ListTagging)), ("callback_url", callbackUrl)),
            null, KitJson.Default.ListTagging, KitJson.Default.ListTaggingFailure, ct);
    }

    async Task<BulkResult<TItem, TFailure>> BulkAsync<TItem, TFailure>(HttpMethod method, string path, JsonObject body, string? key,
        JsonTypeInfo<List<TItem>> items, JsonTypeInfo<List<TFailure>> failures, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, null, Bytes(body), idempotent: true, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Accepted) return new BulkResult<TItem, TFailure>(true, [], []);
        using var json = await ParseAsync(response, ct).ConfigureAwait(false);
        return new BulkResult<TItem, TFailure>(false,
            key is null ? [] : Read(Property(json.RootElement, key, response), items, response),
            Read(Property(json.RootElement, "failures", response), failures, response));
    }
}
