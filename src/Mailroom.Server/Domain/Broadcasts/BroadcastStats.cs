namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>
/// The v3 stats object (spec §2), computed from the broadcast's recipient rows. Failed recipients count towards
/// progress, and a broadcast whose template failed says <c>failed</c> in status. inferred: no field for failures or
/// their reasons. Kit's object has none; Mailroom.Client would ignore one (it skips unknown members) but that says nothing
/// of the SDKs and replicators (spec sources) that map or store the object as Kit documents it, and the API tests pin
/// its shape. `mailroom broadcasts list` and `mailroom broadcasts failures` show them instead.
/// v4's object adds <see cref="EmailsOpened"/> and <see cref="UnsubscribeRate"/> (same arithmetic as the other rates).
/// </summary>
public sealed record BroadcastStats(int Recipients, double OpenRate, double ClickRate, int Unsubscribes, int TotalClicks,
    bool ShowTotalClicks, string Status, double Progress, int EmailsOpened = 0, double UnsubscribeRate = 0)
{
    /// <summary>Null when the account has no such broadcast.</summary>
    public static async Task<BroadcastStats?> LoadAsync(AppDbContext db, long accountId, long broadcastId, CancellationToken ct) =>
        (await LoadManyAsync(db, accountId, [broadcastId], ct)).GetValueOrDefault(broadcastId);

    /// <summary>The stats of those of <paramref name="broadcastIds"/> the account has, with two queries whatever their number.</summary>
    public static async Task<Dictionary<long, BroadcastStats>> LoadManyAsync(AppDbContext db, long accountId, IReadOnlyCollection<long> broadcastIds, CancellationToken ct)
    {
        var wanted = broadcastIds.ToList();
        var broadcasts = await db.Broadcasts.AsNoTracking().Where(b => b.AccountId == accountId && wanted.Contains(b.Id))
            .Select(b => new { b.Id, b.Status, b.Freezing, b.RecipientCount }).ToListAsync(ct);
        if (broadcasts.Count == 0) return [];
        var ids = broadcasts.Select(b => b.Id).ToList();
        // One aggregate query; each recipient row is one subscriber, so row counts are unique counts.
        var totals = await db.BroadcastRecipients.AsNoTracking().Where(r => ids.Contains(r.BroadcastId))
            .GroupBy(r => r.BroadcastId)
            .Select(g => new Totals(
                g.Key,
                g.Count(),
                g.Count(r => r.OpenedAt != null),
                g.Count(r => r.ClickedAt != null),
                g.Count(r => r.UnsubscribedAt != null),
                g.Count(r => r.SentAt != null || r.FailedAt != null),
                g.Sum(r => r.Clicks)))
            .ToDictionaryAsync(t => t.BroadcastId, ct);
        return broadcasts.ToDictionary(b => b.Id, b => From(b.Status, b.Freezing, b.RecipientCount, totals.GetValueOrDefault(b.Id)));
    }

    sealed record Totals(long BroadcastId, int Recipients, int Opened, int Clicked, int Unsubscribed, int Processed, int Clicks);

    static BroadcastStats From(string status, bool freezing, int recipientCount, Totals? totals)
    {
        // While PostgreSQL is still writing the list (a few seconds), its size is already known; the rows are not all there.
        if (freezing && totals is not null && totals.Recipients < recipientCount)
            totals = totals with { Recipients = recipientCount };
        if (totals is null)
            // No recipient list yet: honest zeros until the sender freezes one. A finished broadcast that had
            // nobody to send to has nothing left to do, so it reads 100.
            return new BroadcastStats(freezing ? recipientCount : 0, 0, 0, 0, 0, false, status,
                status == BroadcastStatuses.Completed ? 100 : 0);
        return new BroadcastStats(totals.Recipients, Percent(totals.Opened, totals.Recipients),
            Percent(totals.Clicked, totals.Recipients), totals.Unsubscribed, totals.Clicks,
            // inferred: Kit's documented example answers false; Mailroom always tracks clicks and never hides them.
            false, status,
            // Progress counts recipients the sender is done with: a failed address is finished too, so a
            // completed broadcast with failures still reaches 100.
            Percent(totals.Processed, totals.Recipients),
            totals.Opened, Percent(totals.Unsubscribed, totals.Recipients));
    }

    // Same arithmetic as Kit's Ruby (n.to_f / total * 100): the documented 60.97560975609756 for 50 of 82.
    static double Percent(int part, int total) => total == 0 ? 0 : (double)part / total * 100;
}
