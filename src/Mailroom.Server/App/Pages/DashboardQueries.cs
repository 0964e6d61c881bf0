using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.App.Pages;

public sealed record GrowthDay(DateOnly Day, long New, long Unsubscribed)
{
    public long Net => New - Unsubscribed;
}

public sealed record RecentBroadcast(long Id, string? Subject, string Status, DateTime? SentAt, BroadcastStats? Stats);

public sealed record SequenceCounts(long Id, string Name, long Active, long Completed);

public sealed record DashboardData(IReadOnlyList<GrowthDay> Growth, long ActiveSubscribers, IReadOnlyList<RecentBroadcast> Broadcasts,
    IReadOnlyList<SequenceCounts> Sequences, long FailedWebhooks, long BouncedSubscribers)
{
    public long New => Growth.Sum(d => d.New);
    public long Unsubscribed => Growth.Sum(d => d.Unsubscribed);
    public long Net => New - Unsubscribed;
}

/// <summary>
/// The dashboard's numbers, each one aggregate query over a bounded range or a short list, never rows loaded to be
/// counted: at a million subscribers the page stays a handful of index range scans.
/// </summary>
public sealed class DashboardQueries(IDbContextFactory<AppDbContext> dbs, TimeProvider time)
{
    public static readonly int[] Periods = [30, 90, 365];
    public const int RecentBroadcastCount = 5;
    public const int SequenceCount = 10;

    public async Task<DashboardData> LoadAsync(long accountId, int days, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        // inferred: days are UTC days, the days the subscriber counters are kept by (SubscriberCount.Day).
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        long firstDay = first.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        var lastDay = firstDay + days - 1;

        // New per day: the trigger-kept counters by day of created_at (a subscriber deleted since no longer counts).
        var created = await db.SubscriberCounts.AsNoTracking()
            .Where(c => c.AccountId == accountId && c.Day >= firstDay && c.Day <= lastDay)
            .GroupBy(c => c.Day).Select(g => new { Day = g.Key, Count = g.Sum(c => c.Count) })
            .ToDictionaryAsync(x => x.Day, x => x.Count, ct);
        // Unsubscribed per day: the (account_id, cancelled_at) index over the window only.
        var from = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var cancelled = await db.Subscribers.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.CancelledAt >= from)
            .GroupBy(s => s.CancelledAt!.Value.Date).Select(g => new { Day = g.Key, Count = g.LongCount() })
            .ToListAsync(ct);
        var cancelledByDay = cancelled.ToDictionary(x => DateOnly.FromDateTime(x.Day), x => x.Count);
        var growth = Enumerable.Range(0, days).Select(i => first.AddDays(i))
            .Select((day, i) => new GrowthDay(day, created.GetValueOrDefault(firstDay + i), cancelledByDay.GetValueOrDefault(day)))
            .ToList();

        var byState = await db.SubscriberCounts.AsNoTracking()
            .Where(c => c.AccountId == accountId && (c.State == SubscriberStates.Active || c.State == SubscriberStates.Bounced))
            .GroupBy(c => c.State).Select(g => new { State = g.Key, Count = g.Sum(c => c.Count) })
            .ToDictionaryAsync(x => x.State, x => x.Count, ct);

        var broadcasts = await db.Broadcasts.AsNoTracking().Where(b => b.AccountId == accountId)
            .OrderByDescending(b => b.Id).Take(RecentBroadcastCount)
            .Select(b => new { b.Id, b.Subject, b.Status, b.CompletedAt, b.StartedAt }).ToListAsync(ct);
        // The same stats the API answers with (one aggregate query for the few broadcasts shown).
        var stats = await BroadcastStats.LoadManyAsync(db, accountId, broadcasts.Select(b => b.Id).ToList(), ct);

        var sequences = await db.Sequences.AsNoTracking().Where(s => s.AccountId == accountId)
            .OrderByDescending(s => s.Id).Take(SequenceCount).Select(s => new { s.Id, s.Name }).ToListAsync(ct);
        var sequenceIds = sequences.Select(s => s.Id).ToList();
        var subscriptions = await db.Subscriptions.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.SubscribableType == SubscribableTypes.Course
                && sequenceIds.Contains(s.SubscribableId) && s.State == SubscriptionStates.Active)
            .GroupBy(s => s.SubscribableId)
            .Select(g => new { Id = g.Key, Active = g.LongCount(s => s.CompletedAt == null), Completed = g.LongCount(s => s.CompletedAt != null) })
            .ToDictionaryAsync(x => x.Id, ct);

        var failedWebhooks = await db.WebhookDeliveries.AsNoTracking()
            .LongCountAsync(d => d.AccountId == accountId && d.Status == WebhookDeliveryStatuses.Failed, ct);

        return new DashboardData(growth, byState.GetValueOrDefault(SubscriberStates.Active),
            broadcasts.Select(b => new RecentBroadcast(b.Id, b.Subject, b.Status, b.CompletedAt ?? b.StartedAt, stats.GetValueOrDefault(b.Id))).ToList(),
            sequences.Select(s => subscriptions.GetValueOrDefault(s.Id) is { } c
                ? new SequenceCounts(s.Id, s.Name, c.Active, c.Completed) : new SequenceCounts(s.Id, s.Name, 0, 0)).ToList(),
            failedWebhooks, byState.GetValueOrDefault(SubscriberStates.Bounced));
    }
}
