using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.App.Broadcasts;

public sealed record BroadcastRow(long Id, string? Subject, string Status, DateTime? SendAt, DateTime? StartedAt, DateTime CreatedAt, BroadcastStats? Stats);

/// <summary>Opens and clicks per period since the broadcast started (hours for its first two days, then days).</summary>
public sealed record ActivityPoint(DateTime Start, int Opens, int Clicks);

public sealed record BroadcastReport(long Id, string? Subject, string Status, DateTime? SendAt, DateTime? StartedAt, DateTime? CompletedAt,
    string? FailureReason, int SentCount, int FailedCount, int Bounces, BroadcastStats Stats, IReadOnlyList<BroadcastClick> Links,
    IReadOnlyList<ActivityPoint> Activity, bool Editable)
{
    public bool InProgress => Status is BroadcastStatuses.Scheduled or BroadcastStatuses.Sending;
}

/// <summary>
/// The list's and the report's numbers, from the code the v4 stats and clicks endpoints answer with
/// (<see cref="BroadcastStats"/>, <see cref="BroadcastClicks"/>), so the screen and the API agree.
/// </summary>
public sealed class BroadcastReports(IDbContextFactory<AppDbContext> dbs)
{
    public const int PageSize = 50;

    public async Task<IReadOnlyList<BroadcastRow>> ListAsync(long accountId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await db.Broadcasts.AsNoTracking().Where(b => b.AccountId == accountId).OrderByDescending(b => b.Id).Take(PageSize)
            .Select(b => new { b.Id, b.Subject, b.Status, b.SendAt, b.StartedAt, b.CreatedAt }).ToListAsync(ct);
        var stats = await BroadcastStats.LoadManyAsync(db, accountId, [.. rows.Select(r => r.Id)], ct);
        return [.. rows.Select(r => new BroadcastRow(r.Id, r.Subject, r.Status, r.SendAt, r.StartedAt, r.CreatedAt, stats.GetValueOrDefault(r.Id)))];
    }

    /// <summary>Null when the account has no such broadcast.</summary>
    public async Task<BroadcastReport?> LoadAsync(long accountId, long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var b = await db.Broadcasts.AsNoTracking().Where(x => x.Id == id && x.AccountId == accountId)
            .Select(x => new { x.Id, x.Subject, x.Status, x.SendAt, x.StartedAt, x.CompletedAt, x.FailureReason, x.SentCount, x.FailedCount })
            .FirstOrDefaultAsync(ct);
        if (b is null) return null;
        var stats = (await BroadcastStats.LoadAsync(db, accountId, id, ct))!;
        var links = await BroadcastClicks.LoadAsync(db, accountId, id, ct) ?? [];
        var recipients = db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id);
        var bounces = await recipients.CountAsync(r => r.Bounced, ct);
        // One timestamp per opening or clicking recipient: bounded by the recipient list, and bucketed here because
        // truncating a timestamp to the hour is written differently by each provider.
        var opens = await recipients.Where(r => r.OpenedAt != null).Select(r => r.OpenedAt!.Value).ToListAsync(ct);
        var clicks = await recipients.Where(r => r.ClickedAt != null).Select(r => r.ClickedAt!.Value).ToListAsync(ct);
        return new BroadcastReport(b.Id, b.Subject, b.Status, b.SendAt, b.StartedAt, b.CompletedAt, b.FailureReason, b.SentCount, b.FailedCount,
            bounces, stats, links, Activity(b.StartedAt, opens, clicks), BroadcastLifecycle.IsEditable(b.Status));
    }

    static List<ActivityPoint> Activity(DateTime? started, List<DateTime> opens, List<DateTime> clicks)
    {
        if (started is not { } start || (opens.Count == 0 && clicks.Count == 0)) return [];
        var last = opens.Concat(clicks).Max();
        var hourly = last - start <= TimeSpan.FromDays(2);
        var step = hourly ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        var first = hourly ? new DateTime(start.Year, start.Month, start.Day, start.Hour, 0, 0, DateTimeKind.Utc) : start.Date;
        var count = (int)((last - first).Ticks / step.Ticks) + 1;
        var points = new (int Opens, int Clicks)[count];
        int Bucket(DateTime t) => Math.Clamp((int)((t - first).Ticks / step.Ticks), 0, count - 1);
        foreach (var t in opens) points[Bucket(t)].Opens++;
        foreach (var t in clicks) points[Bucket(t)].Clicks++;
        return [.. points.Select((p, i) => new ActivityPoint(first + step * i, p.Opens, p.Clicks))];
    }
}
