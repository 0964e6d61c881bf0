using System.Globalization;
using Mailroom.Server.Data;
using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Domain.Subscriptions;

/// <summary>
/// Subscribing to forms, sequences and tags and removing tags (spec §3.1, §4.1–4.3). Each call is one
/// SaveChanges, so the subscriber, its subscriptions and their outbox events exist together or not at all.
/// </summary>
public sealed partial class SubscriptionService(AppDbContext db, SubscriberService subscribers, TimeProvider time)
{
    const int MaxAttempts = 5;

    // Repeat: a sequence's repeat setting (false for forms and tags).
    sealed record Target(string Type, long Id, bool DoubleOptIn, bool Repeat = false);

    public async Task<SubscribeResult> SubscribeAsync(long accountId, string type, long targetId, SubscribeInput input, CancellationToken ct)
    {
        var target = await FindTargetAsync(accountId, type, targetId, ct);
        if (target is null) return SubscribeResult.Failed(SubscribeError.TargetNotFound);
        if (input.Email is null) return SubscribeResult.Failed(SubscribeError.EmailMissing);
        var violation = SubscriberLimits.Check(input.Email, input.FirstName, input.Fields);
        if (!violation.IsNone) return SubscribeResult.Failed(violation);

        // Two first subscribes of one address can race: both see no subscriber and both insert, and the unique
        // index on (account, email) rejects the slower one. Its next attempt finds the winner's row and goes the
        // upsert path. That attempt can lose a second race, on the (subscriber, target) index, to a third call
        // that also lost the first; every lost race means another call committed, so a few attempts suffice.
        // On PostgreSQL an attempt can also be chosen as a deadlock victim: a call writes its primary target before
        // the extra ones, so two calls naming the same targets from different paths can take the targets' count rows
        // in opposite orders. The attempt rolled back whole, so it runs again from fresh reads after a short pause.
        // (SubscribeOnceAsync's address lock removes the commonest case, two such calls for one address.)
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SubscribeOnceAsync(accountId, target, input, ct);
            }
            catch (DbUpdateException e) when (attempt < MaxAttempts && UniqueViolation.Is(e))
            {
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (attempt < MaxAttempts && TransientConflict.Is(e))
            {
                db.ChangeTracker.Clear();
                await TransientConflict.BackoffAsync(attempt, ct);
            }
        }
    }

    async Task<SubscribeResult> SubscribeOnceAsync(long accountId, Target target, SubscribeInput input, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        // PostgreSQL: the attempt is one transaction that first locks the address's subscriber row (when there is one)
        // and reads everything after that, so concurrent calls for one address take turns, each seeing what the one
        // before committed, instead of inserting the address's subscriptions in opposite orders and deadlocking on the
        // (subscriber, target) index and the count rows. SQLite: SaveChanges stays its own transaction; a read inside a
        // deferred one would make the write fail, not wait, when another writer commits in between.
        await using var tx = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
        // A failed attempt is rolled back whole, so the savepoint SaveChanges would set inside it serves nothing.
        db.Database.AutoSavepointsEnabled = false;
        // Tracked, so FindOrAddAsync takes the subscriber from the context rather than reading it again.
        var locked = tx is not null && await SubscriberLockSql.LockAsync(db, accountId, EmailAddress.Normalize(input.Email!), ct);
        var (subscriber, created) = await subscribers.FindOrAddAsync(accountId, input.Email!, SubscriberStates.Inactive, ct);
        if (tx is not null && !created && !locked)
        {
            // Another call committed the address between the lock and the read: lock it now and read it again under the lock.
            await SubscriberLockSql.LockAsync(db, accountId, subscriber.NormalizedEmail, ct);
            await db.Entry(subscriber).ReloadAsync(ct);
        }
        var before = created ? null : subscriber.State;
        await subscribers.ApplyDetailsAsync(subscriber, input.FirstName, input.Fields, ct);

        // A double opt-in form leaves anyone not already active waiting for the confirmation link; any other
        // target opts in directly (spec §4.1). Only the path's target decides: tags passed along with a
        // double opt-in form are applied at once but do not confirm the address (spec §3.1, V S3).
        var pending = target.DoubleOptIn && before != SubscriberStates.Active;
        if (!input.KeepState) SetState(subscriber, before, pending, now);

        var extras = await LoadExtraTargetsAsync(accountId, target, input, ct);
        var existing = created ? [] : await ExistingSubscriptionsAsync(subscriber.Id, [target, .. extras], ct);

        var primary = Ensure(subscriber, target, existing, pending ? SubscriptionStates.Inactive : SubscriptionStates.Active, now);
        if (pending && primary.State == SubscriptionStates.Inactive)
        {
            // Only the request is recorded here, so the API never waits on SMTP: the ConfirmationMailer sends
            // the email with a fresh token, at most once per address per 10 minutes (a repeat sign-up inside
            // that window keeps the link already sent working).
            primary.ConfirmationRequestedAt = now;
        }
        foreach (var extra in extras)
        {
            // Tags apply immediately; extra forms and sequences of a pending call wait for the same confirmation.
            var state = extra.Type == SubscribableTypes.Tag || !pending ? SubscriptionStates.Active : SubscriptionStates.Inactive;
            Ensure(subscriber, extra, existing, state, now);
        }

        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return new SubscribeResult(SubscribeError.None, primary);
    }

    void SetState(Subscriber subscriber, string? before, bool pending, DateTime now)
    {
        var after = before switch
        {
            // inferred: a hard bounce or spam complaint is never undone by a sign-up call; the
            // subscriptions are still recorded so the address's history is complete.
            SubscriberStates.Bounced or SubscriberStates.Complained => before,
            SubscriberStates.Active => SubscriberStates.Active,
            // New, pending or cancelled: re-subscribing a cancelled address reactivates it (spec §4.1).
            _ => pending ? SubscriberStates.Inactive : SubscriberStates.Active,
        };
        if (after == subscriber.State && before is not null) return;
        subscriber.State = after;
        subscriber.CancelledAt = null;
        if (before is not null) subscriber.UpdatedAt = now;
        if (after == SubscriberStates.Active)
            db.Raise(time, subscriber.AccountId, OutboxEvents.SubscriberActivate, subscriber);
    }

    /// <summary>
    /// Creates the subscription, or reuses the existing one: an active one is returned unchanged (subscribing
    /// twice is not an error, spec §4.3); a cancelled or pending one takes <paramref name="state"/>.
    /// Becoming active raises the target's event.
    /// </summary>
    Subscription Ensure(Subscriber subscriber, Target target, List<Subscription> existing, string state, DateTime now)
    {
        var row = existing.FirstOrDefault(s => s.SubscribableType == target.Type && s.SubscribableId == target.Id);
        if (row is null)
        {
            row = new Subscription
            {
                AccountId = subscriber.AccountId, Subscriber = subscriber, SubscribableType = target.Type,
                SubscribableId = target.Id, State = state, CreatedAt = now, UpdatedAt = now,
            };
            db.Subscriptions.Add(row);
            existing.Add(row);
        }
        else if (row.State == SubscriptionStates.Active)
        {
            if (SequenceProgress.Readd(row, target.Repeat, now)) row.UpdatedAt = now;
            return row;
        }
        else
        {
            // A cancelled subscription's old link must not confirm it again; a pending one keeps its link
            // and send time (the per-address email limit depends on it).
            if (row.State == SubscriptionStates.Cancelled) row.ConfirmationTokenHash = null;
            row.State = state;
            row.UpdatedAt = now;
        }
        if (state == SubscriptionStates.Active)
        {
            SequenceProgress.Start(row, now);
            RaiseSubscribed(subscriber, target);
        }
        return row;
    }

    void RaiseSubscribed(Subscriber subscriber, Target target)
    {
        // Pending form and sequence subscriptions raise theirs when the address is confirmed (delivery).
        var name = target.Type switch
        {
            SubscribableTypes.Form => OutboxEvents.FormSubscribe,
            SubscribableTypes.Course => OutboxEvents.CourseSubscribe,
            _ => OutboxEvents.TagAdd,
        };
        db.Raise(time, subscriber.AccountId, name, subscriber, matchValue: target.Id.ToString(CultureInfo.InvariantCulture));
    }

    async Task<Target?> FindTargetAsync(long accountId, string type, long id, CancellationToken ct) => type switch
    {
        SubscribableTypes.Form => await db.Forms.AsNoTracking().Where(f => f.AccountId == accountId && f.Id == id)
            .Select(f => new Target(SubscribableTypes.Form, f.Id, f.DoubleOptIn)).FirstOrDefaultAsync(ct),
        SubscribableTypes.Course => await db.Sequences.AsNoTracking().Where(s => s.AccountId == accountId && s.Id == id)
            .Select(s => new Target(SubscribableTypes.Course, s.Id, false, s.Repeat)).FirstOrDefaultAsync(ct),
        SubscribableTypes.Tag => await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && t.Id == id)
            .Select(t => new Target(SubscribableTypes.Tag, t.Id, false)).FirstOrDefaultAsync(ct),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a subscribable type"),
    };

    /// <summary>The <c>tags</c>, <c>forms</c> and <c>courses</c> lists, in that order; ids the account lacks are ignored (spec §4.3).</summary>
    async Task<List<Target>> LoadExtraTargetsAsync(long accountId, Target primary, SubscribeInput input, CancellationToken ct)
    {
        var tagIds = Others(input.TagIds, primary, SubscribableTypes.Tag);
        var formIds = Others(input.FormIds, primary, SubscribableTypes.Form);
        var courseIds = Others(input.CourseIds, primary, SubscribableTypes.Course);
        var targets = new List<Target>();
        if (tagIds.Count > 0)
            targets.AddRange(await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && tagIds.Contains(t.Id))
                .OrderBy(t => t.Id).Select(t => new Target(SubscribableTypes.Tag, t.Id, false)).ToListAsync(ct));
        if (formIds.Count > 0)
            targets.AddRange(await db.Forms.AsNoTracking().Where(f => f.AccountId == accountId && formIds.Contains(f.Id))
                .OrderBy(f => f.Id).Select(f => new Target(SubscribableTypes.Form, f.Id, f.DoubleOptIn)).ToListAsync(ct));
        if (courseIds.Count > 0)
            targets.AddRange(await db.Sequences.AsNoTracking().Where(s => s.AccountId == accountId && courseIds.Contains(s.Id))
                .OrderBy(s => s.Id).Select(s => new Target(SubscribableTypes.Course, s.Id, false, s.Repeat)).ToListAsync(ct));
        return targets;
    }

    static List<long> Others(IReadOnlyList<long> ids, Target primary, string type) =>
        [.. ids.Distinct().Where(id => !(primary.Type == type && primary.Id == id))];

    async Task<List<Subscription>> ExistingSubscriptionsAsync(long subscriberId, List<Target> targets, CancellationToken ct)
    {
        var ids = targets.Select(t => t.Id).Distinct().ToList();
        var rows = await db.Subscriptions.Where(s => s.SubscriberId == subscriberId && ids.Contains(s.SubscribableId)).ToListAsync(ct);
        return [.. rows.Where(r => targets.Any(t => t.Type == r.SubscribableType && t.Id == r.SubscribableId))];
    }

    /// <summary>
    /// Removes a tag from a subscriber (tracked entity of this context): the tag subscription is deleted,
    /// not cancelled, so it leaves the tag's counts (spec §4.2 rule 3). False when the subscriber lacked the tag.
    /// </summary>
    public Task<bool> RemoveTagAsync(Subscriber subscriber, long tagId, CancellationToken ct) =>
        // The delete's count update can meet a subscribe holding the same count rows in the other order.
        TransientConflict.RetryAsync(() => RemoveTagOnceAsync(subscriber, tagId, ct), () =>
        {
            // Drops the rolled-back attempt's tag_remove event; the caller's subscriber stays tracked for Raise.
            db.ChangeTracker.Clear();
            db.Subscribers.Attach(subscriber);
        }, MaxAttempts, ct);

    async Task<bool> RemoveTagOnceAsync(Subscriber subscriber, long tagId, CancellationToken ct)
    {
        // Delete-then-raise in one transaction: of two concurrent removals only one deletes a row and
        // only that one writes a tag_remove event.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var deleted = await db.Subscriptions
            .Where(s => s.SubscriberId == subscriber.Id && s.SubscribableType == SubscribableTypes.Tag && s.SubscribableId == tagId)
            .ExecuteDeleteAsync(ct);
        if (deleted == 0) return false;
        db.Raise(time, subscriber.AccountId, OutboxEvents.TagRemove, subscriber, matchValue: tagId.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
