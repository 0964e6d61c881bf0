using System.Globalization;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Delivery;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;
using Microsoft.Extensions.Options;
using Mailroom.Server.Delivery.Webhooks;

namespace Mailroom.Server.Api.V3;

/// <summary>Webhook rules: POST, GET (undocumented but used, spec §3.7) and DELETE /v3/automations/hooks. All secret.</summary>
static class WebhookRulesEndpoints
{
    const int MaxTargetUrl = 2048;

    public static RouteGroupBuilder MapWebhookRules(this RouteGroupBuilder v3)
    {
        v3.MapPost("/automations/hooks", CreateRule).RequireSecret();
        v3.MapGet("/automations/hooks", ListRules).RequireSecret();
        v3.MapDelete("/automations/hooks/{id:long}", DestroyRule).RequireSecret();
        return v3;
    }

    // Kit answered 200 (not 201) for a new rule [I]; the target is not called now (S3 registers webhook.site URLs).
    static async Task<Results<Ok<WebhookRuleEnvelope<WebhookRuleResponse>>, JsonHttpResult<ApiError>>> CreateRule(
        ApiParams p, Caller caller, AppDbContext db, TimeProvider time, IOptions<WebhookOptions> webhooks, CancellationToken ct)
    {
        var errors = new List<string>();
        var target = p.String("target_url");
        if (await TargetProblemAsync(target, webhooks.Value, ct) is { } problem) errors.Add(problem);

        var rule = new WebhookRule { AccountId = caller.AccountId, TargetUrl = target ?? "", Status = WebhookRuleStatuses.Enabled };
        await ReadEventAsync(p.Object("event"), rule, caller.AccountId, db, errors, ct);
        if (errors.Count > 0) return ApiError.Unprocessable(errors);

        rule.CreatedAt = time.UtcNowSeconds();
        db.WebhookRules.Add(rule);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new WebhookRuleEnvelope<WebhookRuleResponse>(WebhookRuleResponse.From(rule)));
    }

    // A bare array of {"rule": ...}, not wrapped in an object (webhookdb's fixture).
    static async Task<Ok<List<WebhookRuleEnvelope<WebhookRuleListItem>>>> ListRules(Caller caller, AppDbContext db, CancellationToken ct)
    {
        var rules = await db.WebhookRules.AsNoTracking()
            .Where(r => r.AccountId == caller.AccountId && r.Status != WebhookRuleStatuses.Deleted)
            .OrderBy(r => r.Id).ToListAsync(ct);
        return TypedResults.Ok(rules.Select(r => new WebhookRuleEnvelope<WebhookRuleListItem>(WebhookRuleListItem.From(r))).ToList());
    }

    static async Task<Results<Ok<SuccessResponse>, JsonHttpResult<ApiError>>> DestroyRule(
        long id, Caller caller, AppDbContext db, CancellationToken ct) =>
        await DeleteAsync(db, caller.AccountId, id, ct) ? TypedResults.Ok(new SuccessResponse(true)) : ApiError.NotFound();

    /// <summary>Deletes an account's rule (v3 and v4 both); false when it has no such rule.</summary>
    internal static async Task<bool> DeleteAsync(AppDbContext db, long accountId, long id, CancellationToken ct)
    {
        // Rule and its pending deliveries change together: a deleted rule must never deliver again.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var deleted = await db.WebhookRules
            .Where(r => r.Id == id && r.AccountId == accountId && r.Status != WebhookRuleStatuses.Deleted)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, WebhookRuleStatuses.Deleted), ct);
        if (deleted == 0) return false;
        await db.WebhookDeliveries.Where(d => d.RuleId == id && d.Status == WebhookDeliveryStatuses.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatuses.Cancelled)
                .SetProperty(d => d.LockedUntil, (DateTime?)null), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Reads <c>event</c> (name plus its required parameter, spec §4.5) onto the rule, adding any problems. v4's
    /// create uses it too, so a rule means the same whichever API made it.
    /// </summary>
    internal static async Task ReadEventAsync(JsonObject? ev, WebhookRule rule, long account, AppDbContext db, List<string> errors, CancellationToken ct)
    {
        var name = ev is null ? null : ApiParams.AsString(ev["name"], "event[name]");
        if (name is null) { errors.Add(ApiError.BlankMessage("Event name")); return; }
        if (WebhookRuleEvents.Find(name) is not { } spec) { errors.Add(ApiError.EventNotSupportedMessage(name)); return; }
        rule.EventName = spec.StoredName;
        if (spec.Kind == RuleParameterKind.None) return;

        // The first of the accepted names the caller sent, so it is echoed back under that name.
        var parameter = spec.ParameterNames.FirstOrDefault(n => ev![n] is not null);
        var blank = ApiError.BlankMessage($"Event {string.Join(" or ", spec.ParameterNames)}");
        if (parameter is null) { errors.Add(blank); return; }
        rule.ParameterName = parameter;
        if (spec.Kind == RuleParameterKind.Url)
        {
            rule.ParameterValue = ApiParams.AsString(ev![parameter], parameter);
            if (rule.ParameterValue is null) errors.Add(blank);
            return;
        }
        // Ids arrive as numbers or numeric strings (the PHP SDK sends strings).
        var id = ApiParams.AsLong(ev![parameter], parameter);
        if (id is null) { errors.Add(blank); return; }
        rule.ParameterValue = id.Value.ToString(CultureInfo.InvariantCulture);
        var missing = spec.Kind switch
        {
            RuleParameterKind.Form => !await db.Forms.AnyAsync(f => f.Id == id && f.AccountId == account, ct) ? ApiError.DoesNotExistMessage("Form") : null,
            RuleParameterKind.Sequence => !await db.Sequences.AnyAsync(s => s.Id == id && s.AccountId == account, ct) ? ApiError.DoesNotExistMessage("Sequence") : null,
            RuleParameterKind.Tag => !await db.Tags.AnyAsync(t => t.Id == id && t.AccountId == account, ct) ? ApiError.DoesNotExistMessage("Tag") : null,
            RuleParameterKind.CustomField => !await db.CustomFields.AnyAsync(f => f.Id == id && f.AccountId == account, ct) ? ApiError.DoesNotExistMessage("Custom field") : null,
            // Products are only the pids purchases carry, with no catalogue to check against.
            _ => null,
        };
        if (missing is not null) errors.Add(missing);
    }

    /// <summary>Why a rule's target URL is refused (blank, too long, not http(s), or an address webhooks may not reach), or null.</summary>
    /// <remarks>v4's bulk callback_url meets the same rules, named <paramref name="attribute"/> in its messages.</remarks>
    internal static async Task<string?> TargetProblemAsync(string? target, WebhookOptions webhooks, CancellationToken ct, string attribute = "Target url")
    {
        if (target is null) return ApiError.BlankMessage(attribute);
        if (target.Length > MaxTargetUrl) return ApiError.TooLongMessage(attribute, MaxTargetUrl);
        if (!IsHttpUrl(target)) return ApiError.InvalidMessage(attribute);
        // The dispatcher refuses these targets anyway; saying so now spares the caller a rule that can never deliver.
        if (!webhooks.AllowPrivateTargets && await WebhookTargets.RefusalAsync(new Uri(target), ct) is { } refusal)
            return ApiError.TargetNotAllowedMessage(refusal).Replace("Target url", attribute, StringComparison.Ordinal);
        return null;
    }

    internal static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;
}
