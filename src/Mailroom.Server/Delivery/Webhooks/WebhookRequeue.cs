using Mailroom.Server.Domain;

namespace Mailroom.Server.Delivery.Webhooks;

public enum WebhookRequeueResult { Requeued, NotFound, NotFailed, RuleDeleted, Changed }

/// <summary>What became of a retry request; <see cref="Status"/> is the delivery's state when it was not failed.</summary>
public sealed record WebhookRequeueOutcome(WebhookRequeueResult Result, string? Status = null);

/// <summary>
/// Sends a failed delivery again (the CLI's <c>webhooks retry</c> and the app's retry button): it goes back to the
/// dispatcher's queue as pending, due now, with its original delivery id.
/// </summary>
public static class WebhookRequeue
{
    /// <param name="accountId">Only this account's delivery (the app); null for any (the operator's CLI).</param>
    public static async Task<WebhookRequeueOutcome> RequeueAsync(AppDbContext db, TimeProvider time, long deliveryId, long? accountId, CancellationToken ct)
    {
        var row = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id == deliveryId && (accountId == null || d.AccountId == accountId))
            .Select(d => new { d.Status, RuleStatus = db.WebhookRules.Where(r => r.Id == d.RuleId).Select(r => r.Status).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (row is null) return new(WebhookRequeueResult.NotFound);
        if (row.Status != WebhookDeliveryStatuses.Failed) return new(WebhookRequeueResult.NotFailed, row.Status);
        if (row.RuleStatus != Domain.Webhooks.WebhookRuleStatuses.Enabled) return new(WebhookRequeueResult.RuleDeleted);
        var now = time.UtcNow();
        // One more attempt: should it fail too, its age (MaxAge) marks it failed again rather than restarting the schedule.
        var requeued = await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatuses.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatuses.Pending).SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);
        return new(requeued == 0 ? WebhookRequeueResult.Changed : WebhookRequeueResult.Requeued);
    }
}
