using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;

namespace Mailroom.Server.Delivery;

public sealed partial class WebhookDispatcher
{
    /// <summary>
    /// Stage 1: turns one batch of outbox events into deliveries, one per matching enabled rule. The event is marked
    /// processed in the same transaction that inserts its deliveries, so an event is fanned out exactly once even
    /// when a process dies halfway. Returns the number of events handled.
    /// </summary>
    async Task<int> FanOutAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var ids = await db.OutboxEvents.AsNoTracking()
            .Where(e => e.ProcessedAt == null && (e.LockedUntil == null || e.LockedUntil < now))
            .OrderBy(e => e.Id).Take(Options.BatchSize).Select(e => e.Id).ToListAsync(ct);
        if (ids.Count == 0) return 0;

        // The lease spreads the work when several processes share the database; the conditional mark below is what
        // makes a takeover after an expired lease safe.
        var until = now + Options.Lease;
        await db.OutboxEvents.Where(e => ids.Contains(e.Id) && e.ProcessedAt == null && (e.LockedUntil == null || e.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LockedUntil, until).SetProperty(e => e.LockedBy, _instance), ct);
        var events = await db.OutboxEvents.AsNoTracking()
            .Where(e => ids.Contains(e.Id) && e.LockedBy == _instance && e.ProcessedAt == null).OrderBy(e => e.Id).ToListAsync(ct);
        if (events.Count == 0) return 0;

        var accounts = events.Select(e => e.AccountId).Distinct().ToList();
        var names = events.Select(e => e.EventName).Distinct().ToList();
        var rules = await db.WebhookRules.AsNoTracking()
            .Where(r => accounts.Contains(r.AccountId) && names.Contains(r.EventName) && r.Status == WebhookRuleStatuses.Enabled)
            .OrderBy(r => r.Id).ToListAsync(ct);
        var matched = events.Select(e => (Event: e, Rules: rules.Where(r => Matches(r, e)).ToList())).Where(m => m.Rules.Count > 0).ToList();
        var payloads = await payloadBuilder.BuildAsync(db, [.. matched.Select(m => m.Event)], ct);

        var deliveries = new List<WebhookDelivery>();
        foreach (var (e, matching) in matched)
        {
            if (!payloads.TryGetValue(e.Id, out var payload)) continue;
            deliveries.AddRange(matching.Select(r => new WebhookDelivery
            {
                AccountId = e.AccountId, RuleId = r.Id, OutboxEventId = e.Id, DeliveryId = Guid.NewGuid(), TargetUrl = r.TargetUrl,
                Payload = payload, Status = WebhookDeliveryStatuses.Pending, NextAttemptAt = now, CreatedAt = now,
            }));
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var marked = await db.OutboxEvents.Where(e => ids.Contains(e.Id) && e.LockedBy == _instance && e.ProcessedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, now)
                .SetProperty(e => e.LockedUntil, (DateTime?)null).SetProperty(e => e.LockedBy, (string?)null), ct);
        if (marked != events.Count)
        {
            // Our lease ran out and another process took some of these over; it fans them out, we write nothing.
            await tx.RollbackAsync(ct);
            return 0;
        }
        await WebhookDeliveryInsert.InsertAsync(db, deliveries, ct);
        await tx.CommitAsync(ct);
        return events.Count;
    }

    /// <summary>
    /// A rule fires for its account's events of its name whose parameter matches (tag_add for tag 4 only when tag 4
    /// is added; link_click compares the exact URL). inferred: only events raised after the rule was created, so a
    /// new rule does not replay a backlog of older events the dispatcher had not reached yet.
    /// </summary>
    static bool Matches(WebhookRule rule, OutboxEvent e) =>
        rule.AccountId == e.AccountId && rule.EventName == e.EventName && rule.CreatedAt <= e.OccurredAt
        && (rule.ParameterName is null || string.Equals(rule.ParameterValue, e.MatchValue, StringComparison.Ordinal));
}
