namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/webhooks</c>: one page of webhooks.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Webhook>> ListWebhooksAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("webhooks", "webhooks", KitJson.Default.ListWebhook, new Query().Page(page), ct);

    /// <summary>Every webhook, page after page as the enumeration goes.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Webhook> ListAllWebhooksAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListWebhooksAsync, perPage, ct);

    /// <summary>
    /// <c>POST /v4/webhooks</c>: registers a webhook for one event (name with its domain, e.g.
    /// <c>new WebhookEvent("subscriber.tag_add") { TagId = 5 }</c>). A missing event or target is a 422.
    /// </summary>
    /// <param name="targetUrl">Where Kit POSTs.</param>
    /// <param name="webhookEvent">The event and what it watches.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Webhook> CreateWebhookAsync(string targetUrl, WebhookEvent webhookEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(targetUrl);
        ArgumentNullException.ThrowIfNull(webhookEvent);
        return SendJsonAsync(HttpMethod.Post, "webhooks",
            Body(("target_url", targetUrl), ("event", ToBody(webhookEvent, KitJson.Default.WebhookEvent))), "webhook",
            KitJson.Default.Webhook, idempotent: false, ct);
    }

    /// <summary><c>DELETE /v4/webhooks/{id}</c>: removes a webhook.</summary>
    /// <param name="id">The webhook.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteWebhookAsync(long id, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"webhooks/{Id(id)}", null, ct);
}
