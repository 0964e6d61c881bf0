using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;

namespace Mailroom.Server.Delivery.Webhooks;

public sealed partial class WebhookDispatcher
{
    /// <summary>
    /// Stage 1: turns one batch of outbox events into deliveries, one per matching enabled rule. The event is marked
    /// processed in the same transaction that inserts its deliveries, so an event is fanned out exactly once even
    /// when a process dies halfway. Events no rule matches (most of them: every new subscriber raises
    /// subscriber_activate) are marked processed by one UPDATE without being read. Returns the number of events handled.
    /// </summary>
    async Task<int> FanOutAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await FanOutAsync(db, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    async Task<int> FanOutAsync(AppDbContext db, CancellationToken ct)
    {
        var now = time.UtcNow();
        var ids = await db.OutboxEvents.AsNoTracking()
            .Where(e => e.ProcessedAt == null && (e.LockedUntil == null || e.LockedUntil < now))
            .OrderBy(e => e.Id).Take(Options.BatchSize).Select(e => e.Id).ToListAsync(ct);
        if (ids.Count == 0) return 0;

        // One transaction (one commit) for both: unmatched events are done, the rest are leased. Marking an event that
        // no rule matches needs no lease: it writes nothing else, so two processes doing it at once agree. A rule
        // created meanwhile is newer than the event and would not match it anyway (see Matches).
        // The lease spreads the remaining work when several processes share the database; the conditional mark below
        // is what makes a takeover after an expired lease safe.
        var until = now + Options.Lease;
        int skipped, leased;
        using (await WriteTurnAsync(db, ct))
        await using (var lease = await db.Database.BeginTransactionAsync(ct))
        {
            skipped = await Claimable(db, ids, now).Where(e => !db.WebhookRules.Any(r => r.AccountId == e.AccountId
                    && r.EventName == e.EventName && r.Status == WebhookRuleStatuses.Enabled && r.CreatedAt <= e.OccurredAt
                    && (r.ParameterName == null || r.ParameterValue == e.MatchValue)))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, now), ct);
            leased = await Claimable(db, ids, now)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.LockedUntil, until).SetProperty(e => e.LockedBy, _instance), ct);
            await lease.CommitAsync(ct);
        }
        if (leased == 0) return skipped;
        var events = await db.OutboxEvents.AsNoTracking()
            .Where(e => ids.Contains(e.Id) && e.LockedBy == _instance && e.ProcessedAt == null).OrderBy(e => e.Id).ToListAsync(ct);
        if (events.Count == 0) return skipped;

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

        using var turn = await WriteTurnAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var marked = await db.OutboxEvents.Where(e => ids.Contains(e.Id) && e.LockedBy == _instance && e.ProcessedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, now)
                .SetProperty(e => e.LockedUntil, (DateTime?)null).SetProperty(e => e.LockedBy, (string?)null), ct);
        if (marked != events.Count)
        {
            // Our lease ran out and another process took some of these over; it fans them out, we write nothing.
            await tx.RollbackAsync(ct);
            return skipped;
        }
        await WebhookDeliveryInsert.InsertAsync(db, deliveries, ct);
        await tx.CommitAsync(ct);
        return skipped + events.Count;
    }

    static IQueryable<OutboxEvent> Claimable(AppDbContext db, List<long> ids, DateTime now) =>
        db.OutboxEvents.Where(e => ids.Contains(e.Id) && e.ProcessedAt == null && (e.LockedUntil == null || e.LockedUntil < now));

    /// <summary>
    /// A rule fires for its account's events of its name whose parameter matches (tag_add for tag 4 only when tag 4
    /// is added; link_click compares the exact URL). inferred: only events raised after the rule was created, so a
    /// new rule does not replay a backlog of older events the dispatcher had not reached yet.
    /// </summary>
    static bool Matches(WebhookRule rule, OutboxEvent e) =>
        rule.AccountId == e.AccountId && rule.EventName == e.EventName && rule.CreatedAt <= e.OccurredAt
        && (rule.ParameterName is null || string.Equals(rule.ParameterValue, e.MatchValue, StringComparison.Ordinal));
}
