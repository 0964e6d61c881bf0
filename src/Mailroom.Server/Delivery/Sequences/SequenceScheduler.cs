using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Sequences;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Mailroom.Server.Delivery.Sequences;

/// <summary>
/// Moves subscribers through their sequences. Its only way in is the index on subscriptions.next_send_at: each pass
/// takes the subscriptions whose time has come, oldest first, a batch at a time, and for each works out the next
/// published email after the subscriber's place (drafts are passed over and never block the ones after them) and when
/// it falls due (<see cref="SequenceSchedule"/>). Not yet: the time is written back and the subscription waits in the
/// index. Due: a <see cref="SequenceDelivery"/> row is written for the <see cref="SequenceSender"/> and the place moves
/// on, in the same transaction. With nothing left: completed (course_complete, once) or, with hold, parked until an
/// email is published. A sequence with nothing due costs one index probe per pass, whatever its size.
///
/// Two processes on one PostgreSQL database take disjoint batches (FOR UPDATE SKIP LOCKED); and a step can be written
/// only once per round anyway (unique on email, subscriber, round), so nothing is ever queued twice.
/// </summary>
public sealed class SequenceScheduler(IServiceScopeFactory scopes, TimeProvider time, IOptions<DeliveryOptions> options, ILogger<SequenceScheduler> logger)
{
    /// <summary>Subscriptions per transaction.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Batches taken side by side on PostgreSQL once a pass finds more than one batch due. A batch there waits on round
    /// trips and on the server's index writes rather than on this process's CPU: one at a time, a send hour of 100,000
    /// was written at ~2,000 steps/s with the process using two thirds of a core (bench/findings.md, sequences). SKIP
    /// LOCKED keeps the batches disjoint, as it does for two processes. SQLite has one writer: one batch at a time.
    /// </summary>
    public const int PostgresLanes = 3;

    /// <summary>One pass: every subscription due now. Returns how many were looked at.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        // The first batch alone, so an idle pass stays one probe of the index.
        var first = await AdvanceBatchAsync(ct);
        if (first < BatchSize) return first;
        var lanes = Lanes();
        var rest = await Task.WhenAll(Enumerable.Range(0, lanes).Select(_ => LaneAsync(ct)));
        return first + rest.Sum();
    }

    async Task<int> LaneAsync(CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var examined = await AdvanceBatchAsync(ct);
            total += examined;
            if (examined < BatchSize) return total;
        }
    }

    int? _lanes;

    int Lanes()
    {
        if (_lanes is { } known) return known;
        using var scope = scopes.CreateScope();
        return (_lanes = scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.IsNpgsql() ? PostgresLanes : 1).Value;
    }

    async Task<int> AdvanceBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNowSeconds();
        var horizon = now + options.Value.SequenceLookahead;
        // The idle pass: one probe of the index, no transaction (on SQLite a transaction would queue for the write lock).
        if (!await Due(db, horizon).AnyAsync(ct)) return 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ids = db.Database.IsNpgsql()
            ? await db.Database.SqlQuery<long>($"""
                SELECT id AS "Value" FROM subscriptions WHERE next_send_at <= {horizon}
                ORDER BY next_send_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct)
            : await Due(db, horizon).OrderBy(s => s.NextSendAt).Take(BatchSize).Select(s => s.Id).ToListAsync(ct);
        if (ids.Count == 0) return 0;

        // Untracked: the batch is written back set-based below, not row by row through the change tracker.
        var rows = await db.Subscriptions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(ct);
        var batch = await BatchContext.LoadAsync(db, rows, ct);
        var steps = new List<SequenceDelivery>();
        foreach (var row in rows)
        {
            try
            {
                Advance(db, row, batch, steps, now, horizon);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken subscription must not hold up the batch on every pass: it is parked, with why in the log.
                logger.LogError(e, "Sequence step of subscription {SubscriptionId} could not be worked out; parked", row.Id);
                row.NextSendAt = null;
            }
        }
        await SequenceStepSql.InsertAsync(db, steps, ct);
        await WriteBackAsync(db, rows, ct);
        await db.SaveChangesAsync(ct); // course_complete events
        await tx.CommitAsync(ct);
        return ids.Count;
    }

    /// <summary>
    /// The batch's new places and times, one UPDATE per distinct outcome: at a send hour nearly every subscription of a
    /// batch moves to the same place with the same next time, so a batch of 500 is a handful of statements, not 500
    /// (row by row, a send hour of 100,000 was written at ~3,000 steps/s and starved the sender; bench/findings.md).
    /// </summary>
    static async Task WriteBackAsync(AppDbContext db, List<Subscription> rows, CancellationToken ct)
    {
        foreach (var group in rows.GroupBy(r => (r.SequencePosition, r.SequenceAnchorAt, r.NextSendAt, r.CompletedAt)))
        {
            var (position, anchor, next, completed) = group.Key;
            var groupIds = group.Select(r => r.Id).ToList();
            await db.Subscriptions.Where(s => groupIds.Contains(s.Id)).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.SequencePosition, position).SetProperty(s => s.SequenceAnchorAt, anchor)
                .SetProperty(s => s.NextSendAt, next).SetProperty(s => s.CompletedAt, completed), ct);
        }
    }

    void Advance(AppDbContext db, Subscription row, BatchContext batch, List<SequenceDelivery> steps, DateTime now, DateTime horizon)
    {
        if (row.SubscribableType != SubscribableTypes.Course || row.State != SubscriptionStates.Active
            || batch.SubscriberState.GetValueOrDefault(row.SubscriberId) != SubscriberStates.Active
            || !batch.Sequences.TryGetValue(row.SubscribableId, out var sequence) || !sequence.Active)
        {
            // Left, unsubscribed, bounced, not yet confirmed, paused or deleted: nothing waits. Confirming, resubscribing
            // or reactivating the sequence puts the subscription back in the index.
            row.NextSendAt = null;
            return;
        }
        var emails = batch.Emails.GetValueOrDefault(sequence.Id) ?? [];
        var anchor = row.SequenceAnchorAt ?? row.CreatedAt;
        // Each turn passes one email, so this ends; the bound only guards against a bug looping forever.
        for (var turn = 0; turn <= emails.Count; turn++)
        {
            var place = row.SequencePosition ?? -1;
            var next = emails.FirstOrDefault(e => e.Position > place);
            if (next is null)
            {
                row.NextSendAt = null;
                // inferred: completing needs an email passed; a subscriber of a sequence with nothing published waits for one.
                if (!sequence.Hold && row.SequencePosition is not null)
                {
                    row.CompletedAt = now;
                    db.Raise(time, row.AccountId, OutboxEvents.CourseComplete, row.SubscriberId, sequence.Id.ToString(CultureInfo.InvariantCulture));
                }
                return;
            }
            var due = SequenceSchedule.DueAt(anchor, new EmailTiming(next.DelayValue, next.DelayUnit, next.SendDays), sequence.Times);
            if (due > horizon)
            {
                row.SequenceAnchorAt = anchor;
                row.NextSendAt = due;
                return;
            }
            // Written now, sent at its time (up to Delivery:SequenceLookahead ahead, so a send hour's steps are ready).
            // Without hold, sending the last one completes the subscriber (SequenceFeed): course_complete follows the
            // email, and a step withdrawn before it went out completes no one.
            var last = !sequence.Hold && !emails.Any(e => e.Position > next.Position);
            // inferred: Kit says excluded subscribers "skip" the sequence; a step is passed over while they hold an
            // excluded source, so one who loses it later gets the emails after that.
            var written = !batch.Excluded(sequence, row.SubscriberId) && batch.Sent.Add((next.Id, row.SubscriberId, row.SequenceRound));
            if (written)
            {
                steps.Add(new SequenceDelivery
                {
                    AccountId = row.AccountId, SequenceId = sequence.Id, SequenceEmailId = next.Id, SubscriberId = row.SubscriberId,
                    Round = row.SequenceRound, Token = NewToken(), DueAt = due, Completes = last,
                });
            }
            row.SequencePosition = next.Position;
            // The next delay counts from when this step is due; after an outage, from now, so a backlog goes out one
            // email per delay rather than in a burst.
            anchor = due > now ? due : now;
            row.SequenceAnchorAt = anchor;
            if (written && last)
            {
                row.NextSendAt = null;
                return;
            }
        }
        row.NextSendAt = null;
    }

    /// <summary>Subscriptions to look at by <paramref name="until"/>: answered from the partial index on next_send_at alone.</summary>
    public static IQueryable<Subscription> Due(AppDbContext db, DateTime until) => db.Subscriptions.Where(s => s.NextSendAt <= until);

    /// <summary>A 128-bit token, marked "s" so a tracking link says which table to look in.</summary>
    public static string NewToken() => "s" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    sealed record SequenceInfo(long Id, bool Active, bool Hold, SequenceTimes Times, List<ExcludedSource> Exclusions);
    sealed record EmailInfo(long Id, int Position, int DelayValue, string DelayUnit, int? SendDays);

    /// <summary>What a batch's subscriptions need, read in a few queries for the whole batch.</summary>
    sealed class BatchContext
    {
        public Dictionary<long, string> SubscriberState { get; } = [];
        public Dictionary<long, SequenceInfo> Sequences { get; } = [];
        public Dictionary<long, List<EmailInfo>> Emails { get; } = [];
        /// <summary>(email, subscriber, round) already written: a step reordered behind a subscriber is never sent twice.</summary>
        public HashSet<(long, long, int)> Sent { get; } = [];
        readonly HashSet<(long Subscriber, string Type, long Id)> _holds = [];

        public bool Excluded(SequenceInfo sequence, long subscriberId) =>
            sequence.Exclusions.Any(x => x.Ids.Any(id => _holds.Contains((subscriberId, x.Type, id))));

        public static async Task<BatchContext> LoadAsync(AppDbContext db, List<Subscription> rows, CancellationToken ct)
        {
            var c = new BatchContext();
            var subscriberIds = rows.Select(r => r.SubscriberId).Distinct().ToList();
            var sequenceIds = rows.Where(r => r.SubscribableType == SubscribableTypes.Course).Select(r => r.SubscribableId).Distinct().ToList();
            foreach (var s in await db.Subscribers.AsNoTracking().Where(s => subscriberIds.Contains(s.Id)).Select(s => new { s.Id, s.State }).ToListAsync(ct))
                c.SubscriberState[s.Id] = s.State;
            var sequences = await (from s in db.Sequences.AsNoTracking()
                                   join a in db.Accounts on s.AccountId equals a.Id
                                   where sequenceIds.Contains(s.Id)
                                   select new { s.Id, s.Active, s.Hold, s.SendDays, s.SendHour, s.TimeZone, AccountZone = a.TimeZone, s.ExcludeSubscriberSources })
                .ToListAsync(ct);
            foreach (var s in sequences)
            {
                // A zone that no longer resolves (a tzdb update that dropped it) falls back to UTC rather than stopping the sequence.
                var zone = SequenceSchedule.Zone(s.TimeZone) ?? SequenceSchedule.Zone(s.AccountZone) ?? DateTimeZone.Utc;
                c.Sequences[s.Id] = new SequenceInfo(s.Id, s.Active, s.Hold, new SequenceTimes(s.SendDays, s.SendHour, zone), Exclusions(s.ExcludeSubscriberSources));
            }
            var live = c.Sequences.Keys.ToList();
            foreach (var e in await db.SequenceEmails.AsNoTracking().Where(e => live.Contains(e.SequenceId) && e.Published).OrderBy(e => e.Position)
                         .Select(e => new { e.SequenceId, Info = new EmailInfo(e.Id, e.Position, e.DelayValue, e.DelayUnit, e.SendDays) }).ToListAsync(ct))
            {
                if (!c.Emails.TryGetValue(e.SequenceId, out var list)) c.Emails[e.SequenceId] = list = [];
                list.Add(e.Info);
            }
            foreach (var d in await db.SequenceDeliveries.AsNoTracking().Where(d => live.Contains(d.SequenceId) && subscriberIds.Contains(d.SubscriberId) && d.SequenceEmailId != null)
                         .Select(d => new { d.SequenceEmailId, d.SubscriberId, d.Round }).ToListAsync(ct))
                c.Sent.Add((d.SequenceEmailId!.Value, d.SubscriberId, d.Round));

            var excluded = c.Sequences.Values.SelectMany(s => s.Exclusions).ToList();
            if (excluded.Count > 0)
            {
                // inferred: segments arrive with the audience issue; until then an excluded segment excludes no one.
                foreach (var (type, subscribable) in new[] { ("tag", SubscribableTypes.Tag), ("form", SubscribableTypes.Form), ("sequence", SubscribableTypes.Course) })
                {
                    var targetIds = excluded.Where(x => x.Type == type).SelectMany(x => x.Ids).Distinct().ToList();
                    if (targetIds.Count == 0) continue;
                    // The state is checked here, not in SQL, so SQLite looks the subscribers up in the unique index
                    // rather than walking every active subscription (as SequenceFeed's membership check).
                    foreach (var h in await db.Subscriptions.AsNoTracking()
                                 .Where(s => subscriberIds.Contains(s.SubscriberId) && s.SubscribableType == subscribable
                                     && targetIds.Contains(s.SubscribableId))
                                 .Select(s => new { s.SubscriberId, s.SubscribableId, s.State }).ToListAsync(ct))
                        if (h.State == SubscriptionStates.Active) c._holds.Add((h.SubscriberId, type, h.SubscribableId));
                }
            }
            return c;
        }

        static List<ExcludedSource> Exclusions(string json)
        {
            if (string.IsNullOrWhiteSpace(json) || json == "[]") return [];
            var parsed = JsonSerializer.Deserialize<List<Stored>>(json) ?? [];
            return [.. parsed.Where(p => p.type is not null && p.ids is not null).Select(p => new ExcludedSource(p.type!, p.ids!))];
        }

        sealed record Stored(string? type, List<long>? ids);
    }
}
