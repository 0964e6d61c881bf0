using Mailroom.Server.Domain.Outbox;

namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>One URL of a broadcast and how many of its recipients clicked it (Kit v4's clicks list).</summary>
public sealed record BroadcastClick(string Url, int UniqueClicks, double ClickToDeliveryRate, double ClickToOpenRate);

public static class BroadcastClicks
{
    /// <summary>
    /// The broadcast's clicked URLs, most clicked first; null when the account has no such broadcast.
    /// inferred: a recipient row counts clicks but not which link, and adding a table is outside this change, so the
    /// URL comes from the link_click events tracking raises (kept in the outbox): those of this broadcast's clicking
    /// recipients since it started. A recipient who clicks the same URL in another email meanwhile is counted once
    /// here too. Rates are fractions (Kit's example: 0.006), of recipients delivered and of recipients who opened.
    /// </summary>
    public static async Task<List<BroadcastClick>?> LoadAsync(AppDbContext db, long accountId, long broadcastId, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.AsNoTracking().Where(b => b.Id == broadcastId && b.AccountId == accountId)
            .Select(b => new { b.StartedAt }).FirstOrDefaultAsync(ct);
        if (broadcast is null) return null;
        if (broadcast.StartedAt is not { } started) return [];
        var recipients = db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == broadcastId);
        var delivered = await recipients.CountAsync(r => r.SentAt != null, ct);
        var opened = await recipients.CountAsync(r => r.OpenedAt != null, ct);
        var clicks = await (
            from e in db.OutboxEvents.AsNoTracking()
            join r in recipients on e.SubscriberId equals r.SubscriberId
            where e.AccountId == accountId && e.EventName == OutboxEvents.LinkClick && e.OccurredAt >= started
                && r.ClickedAt != null && e.MatchValue != null
            select new { Url = e.MatchValue!, e.SubscriberId }).Distinct().ToListAsync(ct);
        return [.. clicks.GroupBy(c => c.Url).Select(g => (Url: g.Key, Unique: g.Count()))
            .OrderByDescending(c => c.Unique).ThenBy(c => c.Url, StringComparer.Ordinal)
            .Select(c => new BroadcastClick(c.Url, c.Unique, Rate(c.Unique, delivered), Rate(c.Unique, opened)))];
    }

    static double Rate(int part, int total) => total == 0 ? 0 : Math.Round((double)part / total, 4);
}
