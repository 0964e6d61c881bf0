using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Outbox;

namespace Mailroom.Server.Domain.Subscribers;

/// <summary>Subscriber upsert rules shared by subscribe calls, purchases, seed files and hosted forms (spec §4.3).</summary>
public sealed class SubscriberService(AppDbContext db, TimeProvider time)
{
    /// <summary>
    /// Finds the account's subscriber by email (case-insensitive) or adds a new one in <paramref name="newState"/>.
    /// The returned entity is tracked; nothing is saved.
    /// </summary>
    public async Task<(Subscriber Subscriber, bool Created)> FindOrAddAsync(long accountId, string email, string newState, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        var existing = db.Subscribers.Local.FirstOrDefault(s => s.AccountId == accountId && s.NormalizedEmail == normalized)
            ?? await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == accountId && s.NormalizedEmail == normalized, ct);
        if (existing is not null) return (existing, false);
        var now = time.UtcNowSeconds();
        var subscriber = new Subscriber
        {
            AccountId = accountId, EmailAddress = email.Trim(), NormalizedEmail = normalized, State = newState,
            CreatedAt = now, UpdatedAt = now,
        };
        db.Subscribers.Add(subscriber);
        return (subscriber, true);
    }

    /// <summary>
    /// Sets first name (when non-blank) and merges custom field values by key; unknown keys are ignored (spec §4.3).
    /// Returns the values that changed, for the callers that raise field_value_updated (<see cref="CustomFieldEvents"/>).
    /// </summary>
    public async Task<IReadOnlyList<FieldValueChange>> ApplyDetailsAsync(Subscriber subscriber, string? firstName,
        IReadOnlyDictionary<string, string?>? fields, CancellationToken ct)
    {
        var changed = false;
        var changes = new List<FieldValueChange>();
        if (!string.IsNullOrWhiteSpace(firstName) && subscriber.FirstName != firstName.Trim())
        {
            subscriber.FirstName = firstName.Trim();
            changed = true;
        }
        if (fields is { Count: > 0 })
        {
            var keys = fields.Keys.ToList();
            var defs = await db.CustomFields.Where(f => f.AccountId == subscriber.AccountId && keys.Contains(f.Key))
                .Select(f => new { f.Id, f.Key }).ToListAsync(ct);
            if (defs.Count > 0)
            {
                var ids = defs.Select(d => d.Id).ToList();
                var current = subscriber.Id == 0 ? [] : await db.SubscriberFieldValues
                    .Where(v => v.SubscriberId == subscriber.Id && ids.Contains(v.CustomFieldId)).ToListAsync(ct);
                foreach (var def in defs)
                {
                    var value = fields[def.Key];
                    var row = current.FirstOrDefault(v => v.CustomFieldId == def.Id)
                        ?? subscriber.FieldValues.FirstOrDefault(v => v.CustomFieldId == def.Id);
                    if (row is null) subscriber.FieldValues.Add(new SubscriberFieldValue { CustomFieldId = def.Id, Value = value });
                    else if (row.Value != value) row.Value = value;
                    else continue;
                    changes.Add(new FieldValueChange(def.Id, value));
                    changed = true;
                }
            }
        }
        if (changed) subscriber.UpdatedAt = time.UtcNowSeconds();
        return changes;
    }

    /// <summary>
    /// <c>PUT /v3/unsubscribe</c> (spec §4.2 rule 2): cancels the account's subscriber with this address and flips its
    /// active form, sequence and tag subscriptions to cancelled. Pending (inactive) form subscriptions stay inactive,
    /// so a double opt-in form never counts an address that never confirmed as cancelled. Saves once, raising
    /// subscriber_unsubscribe only when the state actually changes. Null when the account has no such address.
    /// </summary>
    public async Task<Subscriber?> UnsubscribeAsync(long accountId, string email, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == accountId && s.NormalizedEmail == normalized, ct);
        if (subscriber is null) return null;

        var now = time.UtcNowSeconds();
        // A subscriber that is already cancelled should hold no active subscription; flipping any that do
        // anyway makes a repeated call repair the state instead of leaving it half-unsubscribed.
        var active = await db.Subscriptions
            .Where(x => x.SubscriberId == subscriber.Id && x.State == SubscriptionStates.Active).ToListAsync(ct);
        foreach (var subscription in active)
        {
            subscription.State = SubscriptionStates.Cancelled;
            subscription.UpdatedAt = now;
        }
        if (subscriber.State != SubscriberStates.Cancelled)
        {
            subscriber.State = SubscriberStates.Cancelled;
            subscriber.CancelledAt = now;
            subscriber.UpdatedAt = now;
            db.Raise(time, accountId, OutboxEvents.SubscriberUnsubscribe, subscriber: subscriber);
        }
        await db.SaveChangesAsync(ct);
        return subscriber;
    }

    /// <summary>
    /// Deletes the account's subscriber with everything that hangs on it (field values, subscriptions, e-mails sent,
    /// purchases, events not yet delivered), by the schema's cascades; the count triggers follow. Kit's APIs have no
    /// delete and no webhook event for it, so none is raised. False when the account has no such subscriber.
    /// </summary>
    public async Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct) =>
        await db.Subscribers.Where(s => s.AccountId == accountId && s.Id == id).ExecuteDeleteAsync(ct) > 0;

    /// <summary>
    /// A spam complaint from a feedback loop: the subscriber becomes complained (spec §4.1, set by the mail system
    /// only) and subscriber_complain is raised in the same save. Broadcasts skip anyone not active, and sign-up calls
    /// never reactivate a complained address. Changed is false when it already was complained. Null for an unknown address.
    /// </summary>
    public async Task<(Subscriber Subscriber, bool Changed)?> ComplainAsync(long accountId, string email, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == accountId && s.NormalizedEmail == normalized, ct);
        if (subscriber is null) return null;
        if (subscriber.State == SubscriberStates.Complained) return (subscriber, false);
        subscriber.State = SubscriberStates.Complained;
        subscriber.UpdatedAt = time.UtcNowSeconds();
        db.Raise(time, accountId, OutboxEvents.SubscriberComplain, subscriber: subscriber);
        await db.SaveChangesAsync(ct);
        return (subscriber, true);
    }
}
