using System.Net;
using System.Text.Json;

namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/subscribers</c>: one page of subscribers (active ones unless the query says otherwise).</summary>
    /// <param name="query">Filters: state, addresses, time windows, order, extra parts.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Subscriber>> ListSubscribersAsync(SubscriberQuery? query = null, PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("subscribers", "subscribers", KitJson.Default.ListSubscriber, new Query()
            .Add("status", query?.Status)
            .Add("email_address", query?.EmailAddresses is { Count: > 0 } addresses ? string.Join(',', addresses) : null)
            .Add("created_after", query?.CreatedAfter)
            .Add("created_before", query?.CreatedBefore)
            .Add("updated_after", query?.UpdatedAfter)
            .Add("updated_before", query?.UpdatedBefore)
            .Add("sort_field", query?.SortField)
            .Add("sort_order", query?.SortOrder)
            .Add("include", query?.Include is { Count: > 0 } include ? string.Join(',', include) : null)
            .Add("slim", query?.Slim)
            .Page(page), ct);

    /// <summary>Every subscriber the query matches, page after page as the enumeration goes.</summary>
    /// <param name="query">Filters: state, addresses, time windows, order, extra parts.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Subscriber> ListAllSubscribersAsync(SubscriberQuery? query = null, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListSubscribersAsync(query, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/subscribers</c>: creates a subscriber, or updates the first name of the one with this address
    /// (<see cref="SavedSubscriber.Created"/> tells which). An invalid address is a 422.
    /// </summary>
    /// <param name="request">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<SavedSubscriber> CreateSubscriberAsync(SubscriberRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // An upsert on the address, so a retry after a transient failure is harmless.
        using var response = await SendAsync(HttpMethod.Post, "subscribers", null,
            Bytes(ToBody(request, KitJson.Default.SubscriberRequest)), idempotent: true, ct).ConfigureAwait(false);
        return await ReadSavedAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET /v4/subscribers/{id}</c>: one subscriber, in any state.</summary>
    /// <param name="id">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Subscriber> GetSubscriberAsync(long id, CancellationToken ct = default) =>
        GetAsync($"subscribers/{Id(id)}", "subscriber", KitJson.Default.Subscriber, ct);

    /// <summary>
    /// <c>PUT /v4/subscribers/{id}</c>: changes first name, address or field values; what is null stays. An address
    /// another subscriber has is a 422.
    /// </summary>
    /// <param name="id">The subscriber.</param>
    /// <param name="update">The changes.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<SavedSubscriber> UpdateSubscriberAsync(long id, SubscriberUpdate update, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        using var response = await SendAsync(HttpMethod.Put, $"subscribers/{Id(id)}", null,
            Bytes(ToBody(update, KitJson.Default.SubscriberUpdate)), idempotent: true, ct).ConfigureAwait(false);
        return await ReadSavedAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary><c>POST /v4/subscribers/{id}/unsubscribe</c>: unsubscribes a subscriber from everything.</summary>
    /// <param name="id">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task UnsubscribeSubscriberAsync(long id, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Post, $"subscribers/{Id(id)}/unsubscribe", Body(), ct);

    /// <summary><c>GET /v4/subscribers/{subscriber_id}/stats</c>: a subscriber's email engagement.</summary>
    /// <param name="id">The subscriber.</param>
    /// <param name="emailSentAfter">Count emails sent on or after this day.</param>
    /// <param name="emailSentBefore">Count emails sent on or before this day.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<SubscriberStats> GetSubscriberStatsAsync(long id, DateOnly? emailSentAfter = null, DateOnly? emailSentBefore = null,
        CancellationToken ct = default) =>
        (await GetAsync($"subscribers/{Id(id)}/stats", "subscriber", KitJson.Default.SubscriberStatsBody, ct, new Query()
            .Add("email_sent_after", emailSentAfter?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .Add("email_sent_before", emailSentBefore?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            .ConfigureAwait(false)).Stats;

    /// <summary><c>GET /v4/subscribers/{subscriber_id}/tags</c>: one page of a subscriber's tags.</summary>
    /// <param name="id">The subscriber.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<SubscriberTag>> ListSubscriberTagsAsync(long id, PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync($"subscribers/{Id(id)}/tags", "tags", KitJson.Default.ListSubscriberTag, new Query().Page(page), ct);

    /// <summary>Every tag of a subscriber, page after page as the enumeration goes.</summary>
    /// <param name="id">The subscriber.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<SubscriberTag> ListAllSubscriberTagsAsync(long id, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListSubscriberTagsAsync(id, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/subscribers/filter</c>: subscribers matching every engagement condition. Kit's document declares no
    /// paging input for it; the answer's <see cref="Pagination"/> (with its total) is returned as sent.
    /// </summary>
    /// <param name="filter">The conditions.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<CursorPage<FilteredSubscriber>> FilterSubscribersAsync(SubscriberFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        // A read, though a POST: safe to repeat.
        using var response = await SendAsync(HttpMethod.Post, "subscribers/filter", null,
            Bytes(ToBody(filter, KitJson.Default.SubscriberFilter)), idempotent: true, ct).ConfigureAwait(false);
        return await ReadPageAsync(response, "subscribers", KitJson.Default.ListFilteredSubscriber, ct).ConfigureAwait(false);
    }

    static async Task<SavedSubscriber> ReadSavedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var json = await ParseAsync(response, ct).ConfigureAwait(false);
        var subscriber = Read(Property(json.RootElement, "subscriber", response), KitJson.Default.Subscriber, response);
        var warnings = json.RootElement.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? Read(w, KitJson.Default.ListString, response)
            : [];
        return new SavedSubscriber(subscriber, response.StatusCode == HttpStatusCode.Created,
            response.StatusCode == HttpStatusCode.Accepted, warnings);
    }
}
