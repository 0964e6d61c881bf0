using System.Text.Json.Nodes;

namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary>
    /// <c>POST /v3/automations/hooks</c>: POSTs the event's payload to <paramref name="targetUrl"/> whenever it happens.
    /// The target is not called now. Requires the api_secret.
    /// </summary>
    /// <param name="targetUrl">An http(s) URL.</param>
    /// <param name="webhookEvent">The event, e.g. <see cref="WebhookEvent.TagAdd"/>.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<WebhookRule> CreateWebhookRuleAsync(string targetUrl, WebhookEvent webhookEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(targetUrl);
        ArgumentNullException.ThrowIfNull(webhookEvent);
        var ev = new JsonObject { ["name"] = webhookEvent.Name };
        if (webhookEvent.ParameterName is { } parameter)
            ev[parameter] = webhookEvent.ParameterValue switch
            {
                long id => JsonValue.Create(id),
                var other => JsonValue.Create(other?.ToString()),
            };
        return (await SendJsonAsync(HttpMethod.Post, "automations/hooks", Scope.Secret, Body(("target_url", targetUrl), ("event", ev)),
            ConvertKitJson.Default.RuleEnvelope, idempotent: false, ct).ConfigureAwait(false)).Rule;
    }

    /// <summary><c>GET /v3/automations/hooks</c> (undocumented, used by integrations): every webhook rule. Requires the api_secret.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<WebhookRule>> ListWebhookRulesAsync(CancellationToken ct = default) =>
        [.. (await GetAsync("automations/hooks", Scope.Secret, ConvertKitJson.Default.ListRuleEnvelope, ct).ConfigureAwait(false))
            .Select(e => e.Rule)];

    /// <summary><c>DELETE /v3/automations/hooks/{id}</c>: deletes a webhook rule; it delivers nothing more. Requires the api_secret.</summary>
    /// <param name="ruleId">The rule.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DeleteWebhookRuleAsync(long ruleId, CancellationToken ct = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, $"automations/hooks/{Id(ruleId)}", Scope.Secret, null, ct);
}
