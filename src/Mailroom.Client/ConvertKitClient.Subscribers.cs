using System.Globalization;

namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary>
    /// <c>GET /v3/subscribers</c>: one page (50) of subscribers, active ones unless the query says otherwise.
    /// Requires the api_secret.
    /// </summary>
    /// <param name="page">The page, from 1.</param>
    /// <param name="query">Filters: dates, state, address, order.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<PagedResult<Subscriber>> ListSubscribersAsync(int page = 1, SubscriberQuery? query = null, CancellationToken ct = default)
    {
        var parameters = new Query()
            .Add("page", PageNumber(page))
            .Add("from", query?.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("to", query?.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("updated_from", Timestamp(query?.UpdatedFrom))
            .Add("updated_to", Timestamp(query?.UpdatedTo))
            .Add("sort_order", Text(query?.SortOrder))
            .Add("sort_field", query?.SortField switch
            {
                SubscriberSortField.CreatedAt => "created_at",
                SubscriberSortField.CancelledAt => "cancelled_at",
                _ => null,
            })
            .Add("email_address", query?.EmailAddress)
            .Add("status", query?.Status?.ToString().ToLowerInvariant());
        var envelope = await GetAsync("subscribers", Scope.Secret, ConvertKitJson.Default.SubscribersEnvelope, ct, parameters)
            .ConfigureAwait(false);
        return new PagedResult<Subscriber>(envelope.Page, envelope.TotalPages, envelope.TotalSubscribers, envelope.Subscribers);
    }

    /// <summary>Every subscriber the query matches, reading page after page as the enumeration goes. Requires the api_secret.</summary>
    /// <param name="query">Filters: dates, state, address, order.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Subscriber> ListAllSubscribersAsync(SubscriberQuery? query = null, CancellationToken ct = default) =>
        WalkPagesAsync((page, token) => ListSubscribersAsync(page, query, token), ct);

    /// <summary><c>GET /v3/subscribers/{id}</c>: one subscriber, in any state. Requires the api_secret.</summary>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Subscriber> GetSubscriberAsync(long subscriberId, CancellationToken ct = default) =>
        (await GetAsync($"subscribers/{Id(subscriberId)}", Scope.Secret, ConvertKitJson.Default.SubscriberEnvelope, ct)
            .ConfigureAwait(false)).Subscriber;

    /// <summary>
    /// <c>PUT /v3/subscribers/{id}</c>: changes first name, address or field values. Kit answers 202 and may apply the fields
    /// later when more than 10 are sent; either way this returns the subscriber as answered. Requires the api_secret.
    /// </summary>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="request">The changes; what is null stays.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Subscriber> UpdateSubscriberAsync(long subscriberId, UpdateSubscriberRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = ToBody(request, ConvertKitJson.Default.UpdateSubscriberRequest);
        return (await SendJsonAsync(HttpMethod.Put, $"subscribers/{Id(subscriberId)}", Scope.Secret, body,
            ConvertKitJson.Default.SubscriberEnvelope, idempotent: true, ct).ConfigureAwait(false)).Subscriber;
    }

    /// <summary>
    /// <c>PUT /v3/unsubscribe</c>: unsubscribes an address from everything; the subscriber comes back <c>cancelled</c>.
    /// An unknown address is a 404. Requires the api_secret.
    /// </summary>
    /// <param name="email">The address.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Subscriber> UnsubscribeAsync(string email, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        return (await SendJsonAsync(HttpMethod.Put, "unsubscribe", Scope.Secret, Body(("email", email)),
            ConvertKitJson.Default.SubscriberEnvelope, idempotent: true, ct).ConfigureAwait(false)).Subscriber;
    }

    /// <summary><c>GET /v3/subscribers/{id}/tags</c>: a subscriber's tags (Kit allows this with the api_key).</summary>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<Tag>> ListSubscriberTagsAsync(long subscriberId, CancellationToken ct = default) =>
        (await GetAsync($"subscribers/{Id(subscriberId)}/tags", Scope.Key, ConvertKitJson.Default.TagsEnvelope, ct)
            .ConfigureAwait(false)).Tags;

    static string? Timestamp(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
