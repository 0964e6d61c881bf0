using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>
/// Writes what the relay said about a group of a broadcast's recipients: sent, retried later, failed or bounced
/// (which also bounces the subscriber and raises its event), then the broadcast's counters and checkpoint.
/// </summary>
sealed class OutcomeCommitter(IServiceScopeFactory scopes, TimeProvider time, DeliveryOptions options)
{
    /// <summary>
    /// Commits a group of outcomes in one transaction: the accepted ones (nearly all) in one set-based UPDATE,
    /// the rest row by row, then the broadcast's counters and checkpoint. Returns how many were accepted.
    /// </summary>
    public async Task<int> CommitAsync(LoadedTemplate loaded, List<SendRun.Done> group, RecipientCursor cursor)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var id = loaded.Template.BroadcastId;
        var now = time.UtcNow();
        var sentIds = group.Where(d => d.Outcome.Kind == SendOutcomeKind.Sent).Select(d => d.RecipientId).ToList();
        var others = group.Where(d => d.Outcome.Kind != SendOutcomeKind.Sent).ToDictionary(d => d.RecipientId, d => d.Outcome);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        if (sentIds.Count > 0)
            await db.BroadcastRecipients.Where(r => sentIds.Contains(r.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.SentAt, now).SetProperty(r => r.Attempts, r => r.Attempts + 1), CancellationToken.None);
        var failed = 0;
        if (others.Count > 0)
        {
            var otherIds = others.Keys.ToList();
            foreach (var r in await db.BroadcastRecipients.Where(r => otherIds.Contains(r.Id)).ToListAsync(CancellationToken.None))
                failed += Apply(db, loaded.AccountId, r, others[r.Id], now) ? 1 : 0;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        var checkpoint = cursor.Committed(group.Select(d => d.RecipientId));
        await db.Broadcasts.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.SentCount, b => b.SentCount + sentIds.Count)
            .SetProperty(b => b.FailedCount, b => b.FailedCount + failed)
            .SetProperty(b => b.LastRecipientId, b => b.LastRecipientId > checkpoint ? b.LastRecipientId : checkpoint), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return sentIds.Count;
    }

    /// <summary>
    /// One outcome other than accepted, on a broadcast recipient or a sequence step: retried later (doubling delays) up to
    /// Delivery:MaxAttempts, or failed for good; a bounce also bounces the subscriber and raises its event.
    /// </summary>
    /// <returns>True when the recipient is now failed for good.</returns>
    public bool Apply(AppDbContext db, long accountId, IMessageOutcome r, SendOutcome outcome, DateTime now)
    {
        r.Attempts++;
        r.LastError = Truncate(outcome.Error);
        switch (outcome.Kind)
        {
            case SendOutcomeKind.Transient when r.Attempts < options.MaxAttempts:
                r.NextAttemptAt = now + options.RetryDelay * Math.Pow(2, r.Attempts - 1);
                return false;
            case SendOutcomeKind.Bounced:
                r.Bounced = true;
                MarkBounced(db, accountId, r.SubscriberId, now);
                break;
        }
        r.FailedAt = now;
        return true;
    }

    void MarkBounced(AppDbContext db, long accountId, long subscriberId, DateTime now)
    {
        var subscriber = db.Subscribers.Local.FirstOrDefault(s => s.Id == subscriberId) ?? db.Subscribers.Find(subscriberId);
        if (subscriber is null || subscriber.AccountId != accountId || subscriber.State == SubscriberStates.Bounced) return;
        subscriber.State = SubscriberStates.Bounced;
        subscriber.UpdatedAt = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        db.Raise(time, accountId, OutboxEvents.SubscriberBounce, subscriber: subscriber);
    }

    public static string? Truncate(string? s) => s is { Length: > 500 } ? s[..500] : s;
}
