using Mailroom.Server.Data;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Domain.Subscriptions;

public sealed partial class SubscriptionService
{
    public enum ConfirmOutcome { NotFound, Confirmed, AlreadyConfirmed, Blocked }

    /// <summary>Whether a confirmation link's token belongs to a sign-up, confirmed or not; reads only.</summary>
    public Task<bool> IsConfirmationTokenAsync(string token, CancellationToken ct)
    {
        var hash = Credentials.Hash(token);
        return db.Subscriptions.AsNoTracking().AnyAsync(s => s.ConfirmationTokenHash == hash, ct);
    }

    /// <summary>
    /// Follows a double opt-in link: the subscriber and every subscription waiting on this confirmation
    /// (extra forms and sequences of the same sign-up carry no token of their own) become active, with
    /// subscriber_activate and their form_subscribe / course_subscribe events. Idempotent: a second visit
    /// changes nothing. Bounced and complained addresses stay as they are.
    /// </summary>
    public Task<(ConfirmOutcome Outcome, long FormId)> ConfirmAsync(string token, CancellationToken ct) =>
        // Activating several subscriptions moves their counts in id order, which a concurrent subscribe or
        // unsubscribe of other addresses can hold in another order; a deadlock victim rolled back whole.
        TransientConflict.RetryAsync(() => ConfirmOnceAsync(token, ct), db.ChangeTracker.Clear, MaxAttempts, ct);

    async Task<(ConfirmOutcome Outcome, long FormId)> ConfirmOnceAsync(string token, CancellationToken ct)
    {
        var hash = Credentials.Hash(token);
        var confirmed = await db.Subscriptions.Include(s => s.Subscriber).FirstOrDefaultAsync(s => s.ConfirmationTokenHash == hash, ct);
        if (confirmed?.Subscriber is not { } subscriber) return (ConfirmOutcome.NotFound, 0);
        if (confirmed.State != SubscriptionStates.Inactive) return (ConfirmOutcome.AlreadyConfirmed, confirmed.SubscribableId);
        if (subscriber.State is SubscriberStates.Bounced or SubscriberStates.Complained) return (ConfirmOutcome.Blocked, confirmed.SubscribableId);

        var now = time.UtcNowSeconds();
        if (subscriber.State != SubscriberStates.Active)
        {
            subscriber.State = SubscriberStates.Active;
            subscriber.CancelledAt = null;
            subscriber.UpdatedAt = now;
            db.Raise(time, subscriber.AccountId, OutboxEvents.SubscriberActivate, subscriber);
        }
        var waiting = await db.Subscriptions
            .Where(s => s.SubscriberId == subscriber.Id && s.State == SubscriptionStates.Inactive).OrderBy(s => s.Id).ToListAsync(ct);
        // The form whose link was followed first, then the rest in the order they were made.
        foreach (var row in waiting.OrderBy(s => s.Id != confirmed.Id))
        {
            row.State = SubscriptionStates.Active;
            row.UpdatedAt = now;
            row.ConfirmationRequestedAt = null;
            // A sequence waiting on the confirmation starts now: its delays count from confirmation.
            SequenceProgress.Start(row, now);
            RaiseSubscribed(subscriber, new Target(row.SubscribableType, row.SubscribableId, false));
        }
        await db.SaveChangesAsync(ct);
        return (ConfirmOutcome.Confirmed, confirmed.SubscribableId);
    }
}
