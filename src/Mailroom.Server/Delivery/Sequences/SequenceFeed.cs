using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Sequences;

/// <summary>
/// Due sequence steps of every account for a <see cref="SendRun"/>, oldest first. Each read claims its rows with a
/// lease (locked_until, locked_by), so two processes never send one step; a lease outlives any run's read-ahead by far,
/// and a process that dies leaves its rows to be taken again once the lease has run out.
///
/// A step is checked once more as it is read: one whose email was deleted or unpublished, whose sequence was deleted,
/// or whose subscriber left the sequence since it fell due is recorded as skipped and never sent; an unsubscribed,
/// bounced or complained subscriber is skipped by the run itself, as for broadcasts.
/// </summary>
sealed class SequenceFeed(IServiceScopeFactory scopes, TimeProvider time, DeliveryOptions options, string instance, OutcomeCommitter outcomes) : ISendFeed
{
    // Per run: a run lasts while steps keep coming, and an edit shows in the next one.
    readonly Dictionary<long, BroadcastTemplate?> _templates = [];

    public string Name => "Sequence steps";
    public BroadcastTemplate? Template => null;
    // One email's template breaking a limit must not hold up every other sequence's steps.
    public bool TemplateLimitStopsRun => false;

    public async Task<List<SendRun.Work>?> NextAsync(int size, bool forwardOnly, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var candidates = await Claimable(db, now).OrderBy(d => d.DueAt).ThenBy(d => d.Id).Take(size).Select(d => d.Id).ToListAsync(ct);
        if (candidates.Count == 0) return [];
        var until = now + options.Lease;
        await Claimable(db, now).Where(d => candidates.Contains(d.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, until).SetProperty(d => d.LockedBy, instance), ct);
        var rows = await (
            from d in db.SequenceDeliveries.AsNoTracking()
            where candidates.Contains(d.Id) && d.LockedBy == instance && d.SentAt == null && d.FailedAt == null
            join s in db.Subscribers on d.SubscriberId equals s.Id into found
            from s in found.DefaultIfEmpty()
            orderby d.Id
            select new Row(d.Id, d.AccountId, d.SequenceId, d.SequenceEmailId, d.SubscriberId, d.Token,
                s == null ? null : s.FirstName, s == null ? null : s.EmailAddress, s == null ? null : s.State, s == null ? null : s.CreatedAt))
            .ToListAsync(ct);
        if (rows.Count == 0) return [];

        var subscriberIds = rows.Select(r => r.SubscriberId).Distinct().ToList();
        var sequenceIds = rows.Select(r => r.SequenceId).Distinct().ToList();
        // Sequences read through their query filter: a deleted one is missing here.
        var live = (await db.Sequences.AsNoTracking().Where(s => sequenceIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct)).ToHashSet();
        // The state is checked here, not in SQL: given `state = 'active'`, SQLite without ANALYZE statistics walks the
        // (state, confirmation_requested_at) index over every active subscription (48 ms a read at 120,000, on every
        // read of a send hour; bench/findings.md, sequences) instead of looking each subscriber up in the unique one.
        var members = (await db.Subscriptions.AsNoTracking()
                .Where(s => subscriberIds.Contains(s.SubscriberId) && s.SubscribableType == SubscribableTypes.Course && sequenceIds.Contains(s.SubscribableId))
                .Select(s => new { s.SubscriberId, s.SubscribableId, s.State }).ToListAsync(ct))
            .Where(s => s.State == SubscriptionStates.Active)
            .Select(s => (s.SubscriberId, s.SubscribableId)).ToHashSet();
        foreach (var emailId in rows.Where(r => r.EmailId is not null).Select(r => r.EmailId!.Value).Distinct())
            if (!_templates.ContainsKey(emailId)) _templates[emailId] = await SequenceTemplates.LoadAsync(db, emailId, ct);

        var work = new List<SendRun.Work>(rows.Count);
        foreach (var account in rows.GroupBy(r => r.AccountId))
        {
            var fields = await FieldMaps.LoadAsync(db, account.Key, [.. account.Select(r => r.SubscriberId).Distinct()], ct);
            foreach (var r in account)
            {
                var template = r.EmailId is { } id ? _templates[id] : null;
                var withdrawn = template is null || !live.Contains(r.SequenceId) || !members.Contains((r.SubscriberId, r.SequenceId));
                SubscriberView? view = r.EmailAddress is null ? null
                    : new SubscriberView(r.SubscriberId, r.FirstName, r.EmailAddress, r.State!, r.CreatedAt!.Value, fields.For(r.SubscriberId));
                work.Add(new SendRun.Work(r.Id, r.SubscriberId, r.Token, view, template, withdrawn ? SendOutcome.StepWithdrawn : null));
            }
        }
        work.Sort((a, b) => a.RecipientId.CompareTo(b.RecipientId));
        return work;
    }

    /// <summary>Accepted in one set-based UPDATE, the rest row by row (retry, fail, bounce), with the leases let go.</summary>
    public async Task<int> CommitAsync(List<SendRun.Done> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var sentIds = group.Where(d => d.Outcome.Kind == SendOutcomeKind.Sent).Select(d => d.RecipientId).ToList();
        var others = group.Where(d => d.Outcome.Kind != SendOutcomeKind.Sent).ToDictionary(d => d.RecipientId, d => d.Outcome);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        if (sentIds.Count > 0)
            await db.SequenceDeliveries.Where(d => sentIds.Contains(d.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.SentAt, now).SetProperty(d => d.Attempts, d => d.Attempts + 1)
                    .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), CancellationToken.None);
        if (others.Count > 0)
        {
            var otherIds = others.Keys.ToList();
            foreach (var d in await db.SequenceDeliveries.Where(d => otherIds.Contains(d.Id)).ToListAsync(CancellationToken.None))
            {
                outcomes.Apply(db, d.AccountId, d, others[d.Id], now);
                d.LockedUntil = null;
                d.LockedBy = null;
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        if (sentIds.Count > 0) await CompleteAsync(db, sentIds, now);
        await tx.CommitAsync(CancellationToken.None);
        return sentIds.Count;
    }

    /// <summary>
    /// The subscribers whose last step just went out are completed, with course_complete once: only a subscription
    /// still waiting for nothing and not yet completed (an email published meanwhile keeps it going).
    /// </summary>
    async Task CompleteAsync(AppDbContext db, List<long> sentIds, DateTime now)
    {
        var last = await db.SequenceDeliveries.AsNoTracking().Where(d => sentIds.Contains(d.Id) && d.Completes)
            .Select(d => new { d.AccountId, d.SubscriberId, d.SequenceId }).ToListAsync(CancellationToken.None);
        if (last.Count == 0) return;
        var at = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        foreach (var sequence in last.GroupBy(l => (l.AccountId, l.SequenceId)))
        {
            var (accountId, sequenceId) = sequence.Key;
            var subscriberIds = sequence.Select(l => l.SubscriberId).ToList();
            // Looked up by the unique (subscriber, type, sequence) index; the rest is checked here (see the membership check above).
            var completed = (await db.Subscriptions.AsNoTracking()
                    .Where(s => subscriberIds.Contains(s.SubscriberId) && s.SubscribableType == SubscribableTypes.Course && s.SubscribableId == sequenceId)
                    .Select(s => new { s.SubscriberId, s.State, s.CompletedAt, s.NextSendAt }).ToListAsync(CancellationToken.None))
                .Where(s => s.State == SubscriptionStates.Active && s.CompletedAt == null && s.NextSendAt == null)
                .Select(s => s.SubscriberId).ToList();
            if (completed.Count == 0) continue;
            await db.Subscriptions.Where(s => completed.Contains(s.SubscriberId) && s.SubscribableType == SubscribableTypes.Course && s.SubscribableId == sequenceId)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.CompletedAt, at), CancellationToken.None);
            var match = sequenceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var subscriberId in completed) db.Raise(time, accountId, OutboxEvents.CourseComplete, subscriberId, match);
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    public static IQueryable<SequenceDelivery> Claimable(AppDbContext db, DateTime now) =>
        db.SequenceDeliveries.Where(d => d.SentAt == null && d.FailedAt == null && d.DueAt <= now
            && (d.NextAttemptAt == null || d.NextAttemptAt <= now) && (d.LockedUntil == null || d.LockedUntil < now));

    sealed record Row(long Id, long AccountId, long SequenceId, long? EmailId, long SubscriberId, string Token,
        string? FirstName, string? EmailAddress, string? State, DateTime? CreatedAt);
}
