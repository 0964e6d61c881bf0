using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V3;

/// <summary>
/// <c>GET /v3/{forms|sequences|tags}/{id}/subscriptions</c> (spec §3.2, §4.2): 50 per page by subscription time,
/// ties broken by id. <c>subscriber_state</c> filters the subscription's own state, so pending (inactive)
/// form subscriptions appear in neither the active nor the cancelled listing.
/// </summary>
static class SubscriptionLists
{
    public static async Task<Results<Ok<SubscriptionsPageResponse>, JsonHttpResult<ApiError>>> ListAsync(
        AppDbContext db, ApiParams p, long accountId, string type, long id, CancellationToken ct)
    {
        if (!Paging.TryDescending(p, out var descending, out var error)) return error!;
        var state = p.String("subscriber_state")?.ToLowerInvariant() ?? SubscriptionStates.Active;
        if (state is not (SubscriptionStates.Active or SubscriptionStates.Cancelled))
            return ApiError.Unprocessable(ApiError.SubscriberStateMessage);
        var page = Paging.Page(p);

        // Every filter and the sort key are in the (account, type, id, state, created_at, id) index. The total and
        // the day the page starts on come from subscription_counts (kept by triggers), so no page counts the list
        // and the OFFSET walk covers at most half a day of index entries, never table rows.
        var days = await db.SubscriptionCounts.AsNoTracking()
            .Where(c => c.AccountId == accountId && c.SubscribableType == type && c.SubscribableId == id && c.State == state)
            .GroupBy(c => c.Day).Select(g => new DayPaging.DayCount(g.Key, g.Sum(c => c.Count))).ToListAsync(ct);
        var query = db.Subscriptions.AsNoTracking().Where(s =>
            s.AccountId == accountId && s.SubscribableType == type && s.SubscribableId == id && s.State == state);
        var (total, ids) = await DayPaging.PageAsync(days, Paging.Skip(page), descending, (bound, ascending, skip, take) =>
            (ascending
                ? query.Where(s => s.CreatedAt >= bound).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)
                : query.Where(s => s.CreatedAt < bound).OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id))
            .Skip(skip).Take(take).Select(s => s.Id).ToListAsync(ct));
        var rows = ids.Count == 0 ? [] : await db.Subscriptions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(ct);
        var byId = rows.ToDictionary(r => r.Id);
        var views = await SubscriberViews.LoadAsync(db, accountId, [.. rows.Select(r => r.SubscriberId).Distinct()], ct);

        var items = ids.Where(byId.ContainsKey).Select(i => byId[i]).Where(s => views.ContainsKey(s.SubscriberId))
            .Select(s => SubscriptionResponse.From(s, views[s.SubscriberId])).ToList();
        return TypedResults.Ok(new SubscriptionsPageResponse(total, page, Paging.TotalPages(total), items));
    }
}
