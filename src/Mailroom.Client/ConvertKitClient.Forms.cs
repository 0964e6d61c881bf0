namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary><c>GET /v3/forms</c>: every form and landing page, archived ones included.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<Form>> ListFormsAsync(CancellationToken ct = default) =>
        (await GetAsync("forms", Scope.Key, ConvertKitJson.Default.FormsEnvelope, ct).ConfigureAwait(false)).Forms;

    /// <summary><c>GET /v3/forms/{id}</c> (undocumented, used by Kit's own plugins): one form.</summary>
    /// <param name="formId">The form.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Form> GetFormAsync(long formId, CancellationToken ct = default) =>
        GetAsync($"forms/{Id(formId)}", Scope.Key, ConvertKitJson.Default.Form, ct);

    /// <summary><c>GET /v3/subscription_forms</c> (undocumented): legacy subscription-form ids and the forms they map to.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<SubscriptionForm>> ListSubscriptionFormsAsync(CancellationToken ct = default) =>
        await GetAsync("subscription_forms", Scope.Key, ConvertKitJson.Default.ListSubscriptionForm, ct).ConfigureAwait(false);

    /// <summary>
    /// <c>POST /v3/forms/{id}/subscribe</c>: subscribes an address through a form. A new subscriber stays <c>inactive</c>
    /// until confirmation when the form uses double opt-in.
    /// </summary>
    /// <param name="formId">The form.</param>
    /// <param name="request">The address and optional first name, fields and tags.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<SubscribeResult> SubscribeToFormAsync(long formId, SubscribeRequest request, CancellationToken ct = default) =>
        SubscribeAsync($"forms/{Id(formId)}/subscribe", request, ct);

    /// <summary><c>GET /v3/forms/{id}/subscriptions</c>: one page (50) of a form's subscriptions. Requires the api_secret.</summary>
    /// <param name="formId">The form.</param>
    /// <param name="page">The page, from 1.</param>
    /// <param name="query">Order and state filter.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<PagedResult<Subscription>> ListFormSubscriptionsAsync(long formId, int page = 1, SubscriptionQuery? query = null,
        CancellationToken ct = default) =>
        ListSubscriptionsAsync($"forms/{Id(formId)}/subscriptions", page, query, ct);

    /// <summary>Every subscription of a form, reading page after page as the enumeration goes. Requires the api_secret.</summary>
    /// <param name="formId">The form.</param>
    /// <param name="query">Order and state filter.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Subscription> ListAllFormSubscriptionsAsync(long formId, SubscriptionQuery? query = null,
        CancellationToken ct = default) =>
        WalkPagesAsync((page, token) => ListFormSubscriptionsAsync(formId, page, query, token), ct);
}
