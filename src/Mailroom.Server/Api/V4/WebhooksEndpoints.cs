using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// GET/POST /v4/webhooks and DELETE /v4/webhooks/{id}: the same rules as v3's /automations/hooks (one table, one
/// dispatcher), so a rule made here is listed by v3 and fires like any other.
/// </summary>
static class WebhooksEndpoints
{
    public sealed record WebhookResponse(long Id, long AccountId, JsonObject Event, string TargetUrl);
    public sealed record WebhookEnvelope(WebhookResponse Webhook);
    public sealed record WebhooksResponse(IReadOnlyList<WebhookResponse> Webhooks, V4Pagination Pagination);

    public static RouteGroupBuilder MapV4Webhooks(this RouteGroupBuilder v4)
    {
        v4.MapGet("/webhooks", List).WithTags("Webhooks").WithSummary("List webhooks").V4Errors(401);
        v4.MapPost("/webhooks", Create).WithTags("Webhooks").WithSummary("Create a webhook").V4Errors(401, 422);
        v4.MapDelete("/webhooks/{id}", Delete).WithTags("Webhooks").WithSummary("Delete a webhook").V4Errors(401, 404, 422);
        return v4;
    }

    // List items carry the event without initiator_value unless it has one (Kit's list example).
    static async Task<JsonHttpResult<WebhooksResponse>> List(V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var slice = await page.ReadAsync(db.WebhookRules.AsNoTracking()
            .Where(r => r.AccountId == caller.AccountId && r.Status == WebhookRuleStatuses.Enabled), r => r.Id, ct);
        return V4Json.Ok(new WebhooksResponse([.. slice.Items.Select(r => Response(r, listing: false))], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<WebhookEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, IOptions<WebhookOptions> webhooks, CancellationToken ct)
    {
        var target = p.String("target_url");
        var ev = p.Node("event") as JsonObject;
        if (target is null || ev is null || ApiParams.AsString(ev["name"], "event[name]") is null)
            return V4Error.Unprocessable(V4Error.WebhookParamsRequired);

        var errors = new List<string>();
        // inferred: the document shows no message for a refused target or an unknown event; v3's words serve both.
        if (await WebhookRulesEndpoints.TargetProblemAsync(target, webhooks.Value, ct) is { } problem) errors.Add(problem);
        var rule = new WebhookRule { AccountId = caller.AccountId, TargetUrl = target, Status = WebhookRuleStatuses.Enabled };
        await WebhookRulesEndpoints.ReadEventAsync(ev, rule, caller.AccountId, db, errors, ct);
        if (errors.Count > 0) return V4Error.Unprocessable(errors);

        rule.CreatedAt = time.UtcNowSeconds();
        db.WebhookRules.Add(rule);
        await db.SaveChangesAsync(ct);
        return V4Json.Created(new WebhookEnvelope(Response(rule, listing: true)));
    }

    // inferred: Kit's 422 "Unable to destroy the webhook." has no cause Mailroom can meet: a rule row always deletes.
    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> Delete(string id, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!long.TryParse(id, out var ruleId)) return V4Error.NotFound();
        return await WebhookRulesEndpoints.DeleteAsync(db, caller.AccountId, ruleId, ct) ? TypedResults.NoContent() : V4Error.NotFound();
    }

    // Kit's create answer includes initiator_value (null when unused); its list items do not. v3's writer does both.
    static WebhookResponse Response(WebhookRule r, bool listing) =>
        new(r.Id, r.AccountId, WebhookRuleJson.Event(r, listing), r.TargetUrl);
}
