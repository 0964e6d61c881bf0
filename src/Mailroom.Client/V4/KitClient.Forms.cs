namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/forms</c>: one page of forms and landing pages.</summary>
    /// <param name="query">Filters: status, type.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Form>> ListFormsAsync(FormQuery? query = null, PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("forms", "forms", KitJson.Default.ListForm,
            new Query().Add("status", query?.Status).Add("type", query?.Type).Page(page), ct);

    /// <summary>Every form the query matches, page after page as the enumeration goes.</summary>
    /// <param name="query">Filters: status, type.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Form> ListAllFormsAsync(FormQuery? query = null, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListFormsAsync(query, page, token), perPage, ct);

    /// <summary><c>GET /v4/forms/{form_id}/subscribers</c>: one page of a form's subscribers.</summary>
    /// <param name="formId">The form.</param>
    /// <param name="query">Filters: state, creation and addition windows.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<FormSubscriber>> ListFormSubscribersAsync(long formId, MembershipQuery? query = null, PageRequest? page = null,
        CancellationToken ct = default) =>
        GetPageAsync($"forms/{Id(formId)}/subscribers", "subscribers", KitJson.Default.ListFormSubscriber,
            MembershipFilters(query, "added").Add("slim", query?.Slim).Page(page), ct);

    /// <summary>Every subscriber of a form the query matches, page after page as the enumeration goes.</summary>
    /// <param name="formId">The form.</param>
    /// <param name="query">Filters: state, creation and addition windows.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<FormSubscriber> ListAllFormSubscribersAsync(long formId, MembershipQuery? query = null, int? perPage = null,
        CancellationToken ct = default) =>
        WalkAsync((page, token) => ListFormSubscribersAsync(formId, query, page, token), perPage, ct);

    /// <summary>
    /// <c>POST /v4/forms/{form_id}/subscribers</c>: adds the subscriber with this address to a form (Kit answers 200 when
    /// already added). An address no subscriber has is a 404.
    /// </summary>
    /// <param name="formId">The form.</param>
    /// <param name="emailAddress">The subscriber's address.</param>
    /// <param name="referrer">The page they subscribed from; its UTM parameters are kept.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<FormSubscriber> AddSubscriberToFormByEmailAsync(long formId, string emailAddress, string? referrer = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(emailAddress);
        return SendJsonAsync(HttpMethod.Post, $"forms/{Id(formId)}/subscribers", Body(("email_address", emailAddress), ("referrer", referrer)),
            "subscriber", KitJson.Default.FormSubscriber, idempotent: true, ct);
    }

    /// <summary><c>POST /v4/forms/{form_id}/subscribers/{id}</c>: adds a subscriber to a form (200 when already added).</summary>
    /// <param name="formId">The form.</param>
    /// <param name="subscriberId">The subscriber.</param>
    /// <param name="referrer">The page they subscribed from.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<FormSubscriber> AddSubscriberToFormAsync(long formId, long subscriberId, string? referrer = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, $"forms/{Id(formId)}/subscribers/{Id(subscriberId)}", Body(("referrer", referrer)),
            "subscriber", KitJson.Default.FormSubscriber, idempotent: true, ct);

    /// <summary>The filters the form, sequence and tag subscriber lists share; tags name the join <c>tagged_*</c>.</summary>
    static Query MembershipFilters(MembershipQuery? query, string joined) => new Query()
        .Add("status", query?.Status)
        .Add("created_after", query?.CreatedAfter)
        .Add("created_before", query?.CreatedBefore)
        .Add($"{joined}_after", query?.AddedAfter)
        .Add($"{joined}_before", query?.AddedBefore);
}
