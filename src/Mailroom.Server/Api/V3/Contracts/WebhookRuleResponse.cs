using System.Globalization;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>
/// The create answer, exactly Kit's documented one: <c>{"rule": {"id","account_id","event","target_url"}}</c>
/// (spec §3.7). Decision: no <c>status</c> here, since Kit's create example has none; the list carries it.
/// </summary>
public sealed record WebhookRuleResponse(long Id, long AccountId, JsonObject Event, string TargetUrl)
{
    public static WebhookRuleResponse From(WebhookRule r) => new(r.Id, r.AccountId, WebhookRuleJson.Event(r, listing: false), r.TargetUrl);
}

/// <summary>A list item, as webhookdb's fixture of Kit's undocumented list shows it: with status and initiator_value.</summary>
public sealed record WebhookRuleListItem(long Id, long AccountId, string Status, JsonObject Event, string TargetUrl)
{
    public static WebhookRuleListItem From(WebhookRule r) =>
        new(r.Id, r.AccountId, r.Status, WebhookRuleJson.Event(r, listing: true), r.TargetUrl);
}

public sealed record WebhookRuleEnvelope<T>(T Rule);

public sealed record SuccessResponse(bool Success);

static class WebhookRuleJson
{
    /// <summary>
    /// <c>{"name": "tag_add", "tag_id": 4}</c>: the stored name and the parameter under the name the caller
    /// used (course_id or sequence_id), ids as numbers even when they were sent as strings.
    /// </summary>
    public static JsonObject Event(WebhookRule r, bool listing)
    {
        var json = new JsonObject { ["name"] = r.EventName };
        if (r.ParameterName is { } name)
            json[name] = name != "initiator_value" && long.TryParse(r.ParameterValue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                ? JsonValue.Create(id)
                : JsonValue.Create(r.ParameterValue);
        if (listing && !json.ContainsKey("initiator_value")) json["initiator_value"] = null;
        return json;
    }
}
