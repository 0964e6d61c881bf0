using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// A broadcast's stats, many broadcasts' stats, and a broadcast's clicks per URL.
/// inferred: the stats list's documented 403 ("not on a pro plan and has the feature flag disabled") never happens:
/// Mailroom has no plans, every account has every feature.
/// </summary>
static class BroadcastStatsEndpoints
{
    public sealed record StatsBody(int Recipients, double OpenRate, int EmailsOpened, double ClickRate, double UnsubscribeRate,
        int Unsubscribes, int TotalClicks, bool ShowTotalClicks, string Status, double Progress, bool OpenTrackingDisabled, bool ClickTrackingDisabled);
    public sealed record BroadcastStatsBody(long Id, StatsBody Stats);
    public sealed record BroadcastStatsEnvelope(BroadcastStatsBody Broadcast);
    public sealed record BroadcastStatsItem(long Id, string Subject, DateTime? SendAt, StatsBody Stats);
    public sealed record BroadcastStatsList(IReadOnlyList<BroadcastStatsItem> Broadcasts, V4Pagination Pagination);
    public sealed record ClicksBody(long Id, IReadOnlyList<ClickItem> Clicks);
    public sealed record ClickItem(string Url, int UniqueClicks, double ClickToDeliveryRate, double ClickToOpenRate);
    public sealed record ClicksEnvelope(ClicksBody Broadcast, V4Pagination Pagination);

    public static RouteGroupBuilder MapBroadcastStats(this RouteGroupBuilder v4)
    {
        v4.MapGet("/broadcasts/stats", List).WithTags("Broadcasts").WithSummary("Get stats for a list of broadcasts").V4Errors(401, 403, 422);
        v4.MapGet("/broadcasts/{broadcast_id:long}/clicks", Clicks).WithTags("Broadcasts").WithSummary("Get link clicks for a broadcast").V4Errors(401, 404);
        v4.MapGet("/broadcasts/{broadcast_id:long}/stats", Get).WithTags("Broadcasts").WithSummary("Get stats for a broadcast").V4Errors(401, 404);
        return v4;
    }

    static async Task<Results<JsonHttpResult<BroadcastStatsEnvelope>, JsonHttpResult<V4Error>>> Get(
        long broadcast_id, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        var stats = await BroadcastStats.LoadAsync(db, caller.AccountId, broadcast_id, ct);
        return stats is null ? V4Error.NotFound() : V4Json.Ok(new BroadcastStatsEnvelope(new BroadcastStatsBody(broadcast_id, ToBody(stats))));
    }

    static async Task<Results<JsonHttpResult<BroadcastStatsList>, JsonHttpResult<V4Error>>> List(
        ApiParams p, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var (query, error) = BroadcastsEndpoints.Filter(p, db.Broadcasts.AsNoTracking().Where(b => b.AccountId == caller.AccountId));
        if (error is not null) return error;
        var slice = await page.ReadAsync(query!, b => b.Id, ct);
        var stats = await BroadcastStats.LoadManyAsync(db, caller.AccountId, [.. slice.Items.Select(b => b.Id)], ct);
        return V4Json.Ok(new BroadcastStatsList(
            [.. slice.Items.Select(b => new BroadcastStatsItem(b.Id, b.Subject ?? "", b.SendAt, ToBody(stats[b.Id])))], slice.Pagination));
    }

    /// <summary>The clicks list is paged in memory (a broadcast has a handful of URLs); a cursor is a 1-based position.</summary>
    static async Task<Results<JsonHttpResult<ClicksEnvelope>, JsonHttpResult<V4Error>>> Clicks(
        long broadcast_id, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var clicks = await BroadcastClicks.LoadAsync(db, caller.AccountId, broadcast_id, ct);
        if (clicks is null) return V4Error.NotFound();
        var (items, pagination) = PageInMemory(page, clicks);
        return V4Json.Ok(new ClicksEnvelope(new ClicksBody(broadcast_id,
            [.. items.Select(c => new ClickItem(c.Url, c.UniqueClicks, c.ClickToDeliveryRate, c.ClickToOpenRate))]), pagination));
    }

    static (List<T> Items, V4Pagination Pagination) PageInMemory<T>(V4Page page, List<T> all)
    {
        int start, end; // [start, end) in 0-based positions
        if (page.Before is not null)
        {
            end = (int)Math.Clamp(V4Page.DecodeKey(page.Before, "before") - 1, 0, all.Count);
            start = Math.Max(0, end - page.PerPage);
        }
        else
        {
            start = page.After is null ? 0 : (int)Math.Clamp(V4Page.DecodeKey(page.After, "after"), 0, all.Count);
            end = Math.Min(all.Count, start + page.PerPage);
        }
        var items = all[start..end];
        return (items, new V4Pagination(start > 0, end < all.Count, items.Count > 0 ? V4Page.Cursor(start + 1) : null,
            items.Count > 0 ? V4Page.Cursor(end) : null, page.PerPage) { TotalCount = page.IncludeTotalCount ? all.Count : null });
    }

    static StatsBody ToBody(BroadcastStats s) => new(s.Recipients, s.OpenRate, s.EmailsOpened, s.ClickRate, s.UnsubscribeRate,
        s.Unsubscribes, s.TotalClicks, s.ShowTotalClicks, BroadcastLifecycle.ToV4(s.Status), s.Progress,
        // Mailroom always tracks opens and clicks.
        false, false);
}
