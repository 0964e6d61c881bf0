using Mailroom.Server.Domain;

namespace Mailroom.Server.Delivery.Webhooks;

public sealed partial class WebhookDispatcher
{
    /// <summary>
    /// Writes the outcomes of finished requests in one transaction, only to rows this process still holds and that
    /// are still pending (a rule deleted meanwhile has cancelled them), and empties <paramref name="done"/> once they
    /// are committed. Returns the attempts recorded.
    /// </summary>
    async Task<int> RecordAsync(List<(WebhookClaim Claim, WebhookOutcome Outcome)> done, CancellationToken ct)
    {
        if (done.Count == 0) return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        using var turn = await WriteTurnAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // Successes share their values, so they are written a status code at a time rather than a row at a time.
        foreach (var group in done.Where(d => d.Outcome.Kind == WebhookOutcomeKind.Delivered).GroupBy(d => d.Outcome.StatusCode))
        {
            var code = group.Key;
            await Held(db, [.. group.Select(d => d.Claim.Id)]).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, WebhookDeliveryStatuses.Delivered).SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatusCode, code).SetProperty(d => d.LastError, (string?)null).SetProperty(d => d.DeliveredAt, now)
                .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);
        }

        var released = done.Where(d => d.Outcome.Kind == WebhookOutcomeKind.Released).Select(d => d.Claim.Id).ToList();
        if (released.Count > 0)
            await Held(db, released).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);

        foreach (var (c, o) in done.Where(d => d.Outcome.Kind is WebhookOutcomeKind.Retry or WebhookOutcomeKind.Refused))
        {
            // A refused target is refused again on every try: it fails at once rather than after three days.
            var next = o.Kind == WebhookOutcomeKind.Refused ? null : NextAttempt(c, c.Attempts + 1, now);
            var status = next is null ? WebhookDeliveryStatuses.Failed : WebhookDeliveryStatuses.Pending;
            var error = o.Error is { Length: > 500 } ? o.Error[..500] : o.Error;
            await Held(db, [c.Id]).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, status).SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatusCode, o.StatusCode).SetProperty(d => d.LastError, error)
                // A failed delivery keeps the time of its last attempt here.
                .SetProperty(d => d.NextAttemptAt, next ?? now)
                .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);
            if (next is null)
                logger.LogWarning("Webhook delivery {DeliveryId} to {Target} failed after {Attempts} attempts: {Error}",
                    c.DeliveryId, c.TargetUrl, c.Attempts + 1, error);
            else
                logger.LogDebug("Webhook delivery {DeliveryId} to {Target} will be retried at {Next}: {Error}", c.DeliveryId, c.TargetUrl, next, error);
        }

        await tx.CommitAsync(ct);
        var attempted = done.Count - released.Count;
        done.Clear();
        return attempted;
    }

    IQueryable<WebhookDelivery> Held(AppDbContext db, List<long> ids) =>
        db.WebhookDeliveries.Where(d => ids.Contains(d.Id) && d.LockedBy == _instance && d.Status == WebhookDeliveryStatuses.Pending);

    /// <summary>
    /// Exponential backoff with jitter: FirstRetryDelay after the first failure, doubling after each one, each delay
    /// scaled by 1 ± Jitter. Null (give up) once MaxAttempts is reached or the retry would come later than MaxAge
    /// after the delivery was queued: with the defaults, about 13 attempts over nearly three days.
    /// </summary>
    DateTime? NextAttempt(WebhookClaim c, int attempts, DateTime now)
    {
        if (Options.MaxAttempts > 0 && attempts >= Options.MaxAttempts) return null;
        var factor = Math.Pow(2, Math.Min(attempts - 1, 40)) * (1 + Options.Jitter * (2 * Random.Shared.NextDouble() - 1));
        var ticks = Options.FirstRetryDelay.Ticks * factor;
        if (ticks >= Options.MaxAge.Ticks) return null;
        var next = now + TimeSpan.FromTicks((long)ticks);
        return next > c.CreatedAt + Options.MaxAge ? null : next;
    }
}
