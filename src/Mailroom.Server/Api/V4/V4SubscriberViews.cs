using System.Web;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// Loads v4 subscriber objects for a page of ids, in their order, with the <c>include</c> expansions asked for, in a
/// fixed number of queries per page whatever its size.
/// </summary>
static class V4SubscriberViews
{
    public static async Task<List<V4SubscriberResponse>> LoadAsync(AppDbContext db, long accountId, IReadOnlyList<long> ids,
        IReadOnlySet<string> include, CancellationToken ct) =>
        await ExpandAsync(db, accountId, ids, await SubscriberViews.LoadAsync(db, accountId, ids, ct), include, ct);

    /// <summary>
    /// Views of subscriber rows a list has already read (the account's own, in page order): reading them again by id
    /// was half the time of a 500-subscriber page at 1,000,000 subscribers.
    /// </summary>
    public static async Task<List<V4SubscriberResponse>> FromRowsAsync(AppDbContext db, long accountId, IReadOnlyList<Subscriber> rows,
        IReadOnlySet<string> include, CancellationToken ct)
    {
        var ids = rows.Select(s => s.Id).ToList();
        var fields = await FieldMaps.LoadAsync(db, accountId, ids, ct);
        var views = rows.ToDictionary(s => s.Id, s => new SubscriberView(s.Id, s.FirstName, s.EmailAddress, s.State, s.CreatedAt, fields.For(s.Id)));
        return await ExpandAsync(db, accountId, ids, views, include, ct);
    }

    static async Task<List<V4SubscriberResponse>> ExpandAsync(AppDbContext db, long accountId, IReadOnlyList<long> ids,
        Dictionary<long, SubscriberView> views, IReadOnlySet<string> include, CancellationToken ct)
    {
        var found = ids.Where(views.ContainsKey).ToList();
        if (found.Count == 0) return [];

        ILookup<long, V4TagRef>? tags = null;
        if (include.Contains("tags"))
            tags = (await db.Subscriptions.AsNoTracking()
                .Where(x => x.AccountId == accountId && found.Contains(x.SubscriberId)
                    && x.SubscribableType == SubscribableTypes.Tag && x.State != SubscriptionStates.Cancelled)
                .Join(db.Tags, x => x.SubscribableId, t => t.Id, (x, t) => new { x.SubscriberId, x.Id, TagId = t.Id, t.Name })
                .OrderBy(r => r.Id).ToListAsync(ct))
                .ToLookup(r => r.SubscriberId, r => new V4TagRef(r.TagId, r.Name));
        Dictionary<long, V4Attribution>? attribution = null;
        if (include.Contains("attribution")) attribution = await AttributionAsync(db, accountId, found, ct);
        Dictionary<long, DateTime?>? cancelled = null;
        if (include.Contains("canceled_at"))
            cancelled = await db.Subscribers.AsNoTracking().Where(s => found.Contains(s.Id))
                .ToDictionaryAsync(s => s.Id, s => s.CancelledAt, ct);

        return [.. found.Select(id =>
        {
            var v = V4SubscriberResponse.From(views[id]);
            if (tags is not null) v = v with { Tags = [.. tags[id]] };
            if (attribution is not null) v = v with { Attribution = attribution.GetValueOrDefault(id) ?? NoAttribution };
            // inferred: Mailroom records no location; the schema's null is the honest answer (Kit's own example
            // answers null for a subscriber it has no location for).
            if (include.Contains("location")) v = v with { Location = (V4Location?)null };
            if (cancelled is not null) v = v with { CanceledAt = cancelled.GetValueOrDefault(id) };
            return v;
        })];
    }

    // inferred: Kit's example answers an object of nulls for a subscriber without a known signup source (an import).
    static readonly V4Attribution NoAttribution = new(null, null, null, null, null, null, null, null, null, null);

    /// <summary>
    /// The original signup source: the subscriber's first form subscription, its referrer and the referrer's utm_*
    /// parameters (what Kit's attribution holds). Subscribers that never came through a form have none.
    /// </summary>
    static async Task<Dictionary<long, V4Attribution>> AttributionAsync(AppDbContext db, long accountId, List<long> ids, CancellationToken ct)
    {
        var rows = await db.Subscriptions.AsNoTracking()
            .Where(x => x.AccountId == accountId && ids.Contains(x.SubscriberId) && x.SubscribableType == SubscribableTypes.Form)
            .Join(db.Forms, x => x.SubscribableId, f => f.Id, (x, f) => new { x.SubscriberId, x.Id, x.CreatedAt, x.Referrer, f.Name, f.Type })
            .ToListAsync(ct);
        var result = new Dictionary<long, V4Attribution>();
        foreach (var first in rows.GroupBy(r => r.SubscriberId).Select(g => g.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).First()))
        {
            var query = first.Referrer is not null && Uri.TryCreate(first.Referrer, UriKind.Absolute, out var uri)
                ? HttpUtility.ParseQueryString(uri.Query) : null;
            result[first.SubscriberId] = new V4Attribution(first.Referrer, query?["utm_source"], query?["utm_medium"],
                query?["utm_campaign"], query?["utm_term"], query?["utm_content"], "form_subscription", first.Name,
                first.Type == FormTypes.Hosted ? "landing_page" : "form", null);
        }
        return result;
    }
}
