using System.Globalization;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// POST /v4/subscribers/filter (v4 notes §5.9): every condition of <c>all</c> must hold. Engagement conditions count
/// the subscriber's messages (broadcast_recipients and sequence_deliveries) in SQL, as correlated counts, so the
/// filter runs in the database whatever the account's size; the page is a keyset page by id.
/// </summary>
static partial class SubscribersEndpoints
{
    public sealed record FilteredSubscriber(string Id, string? FirstName, string EmailAddress, DateTime CreatedAt,
        IReadOnlyList<string> TagNames, IReadOnlyList<string> TagIds);
    public sealed record FilteredSubscribersResponse(IReadOnlyList<FilteredSubscriber> Subscribers, V4Pagination Pagination);

    static readonly string[] FilterTypes = ["opens", "clicks", "sent", "delivered", "subscribed", "subscriber_state", "tags", "attribution"];
    static readonly string[] FilterStates =
        [SubscriberStates.Active, SubscriberStates.Inactive, SubscriberStates.Bounced, SubscriberStates.Cancelled, SubscriberStates.Complained];

    // inferred: the document declares no 422 for the filter and shows no messages; worded like Kit's others.
    public const string FilterAllRequired = "all must be a list of filter conditions";
    public static string FilterTypeInvalid(string? type) => $"Filter type `{type}` is not supported. Use one of: {string.Join(", ", FilterTypes)}";
    public const string FilterStatesRequired = "states must list at least one of: active, inactive, bounced, cancelled, complained";
    public const string CountingModeInvalid = "counting_mode must be one of: raw, unique_email";
    public const string UrlFilterUnsupported = "Filtering clicks by url is not supported";
    public static string AnyConditionInvalid(string type) => $"`any` conditions of a {type} filter are not supported";

    static async Task<JsonHttpResult<FilteredSubscribersResponse>> Filter(ApiParams p, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var conditions = p.List("all") ?? throw new ApiParamException(422, FilterAllRequired);
        var mode = p.String("counting_mode")?.ToLowerInvariant() ?? "raw";
        if (mode is not ("raw" or "unique_email")) throw new ApiParamException(422, CountingModeInvalid);
        var account = caller.AccountId;
        var q = db.Subscribers.AsNoTracking().Where(s => s.AccountId == account);
        foreach (var node in conditions)
        {
            if (node is not JsonObject c) throw new ApiParamException(422, FilterAllRequired);
            q = Apply(q, c, mode == "raw", account, db);
        }

        // The document's example answers ascending ids with total_count, and declares no paging input: the usual
        // after/before/per_page are honoured when sent, and the total is always given.
        var withTotal = new V4Page { After = page.After, Before = page.Before, PerPage = page.PerPage, IncludeTotalCount = true };
        var slice = await withTotal.ReadAsync(q, s => s.Id, ct, ascending: true);
        var ids = slice.Items.Select(s => s.Id).ToList();
        var tags = (await db.Subscriptions.AsNoTracking()
            .Where(x => x.AccountId == account && ids.Contains(x.SubscriberId) && x.SubscribableType == SubscribableTypes.Tag
                && x.State != SubscriptionStates.Cancelled)
            .Join(db.Tags, x => x.SubscribableId, t => t.Id, (x, t) => new { x.SubscriberId, x.Id, TagId = t.Id, t.Name })
            .OrderBy(r => r.Id).ToListAsync(ct)).ToLookup(r => r.SubscriberId);
        return V4Json.Ok(new FilteredSubscribersResponse([.. slice.Items.Select(s => new FilteredSubscriber(
            // The document types these ids as strings ("456"), unlike every other subscriber id.
            s.Id.ToString(CultureInfo.InvariantCulture), s.FirstName, s.EmailAddress, s.CreatedAt,
            [.. tags[s.Id].Select(t => t.Name)], [.. tags[s.Id].Select(t => t.TagId.ToString(CultureInfo.InvariantCulture))]))],
            slice.Pagination));
    }

    static IQueryable<Subscriber> Apply(IQueryable<Subscriber> q, JsonObject c, bool raw, long account, AppDbContext db)
    {
        var type = ApiParams.AsString(c["type"], "type")?.ToLowerInvariant();
        var after = Date(c, "after");
        var before = Date(c, "before");
        var any = ApiParams.AsList(c["any"], "any") ?? [];
        switch (type)
        {
            case "subscribed":
                if (after is { } a) q = q.Where(s => s.CreatedAt >= a);
                if (before is { } b) q = q.Where(s => s.CreatedAt < b);
                return q;
            case "subscriber_state":
                var states = (ApiParams.AsList(c["states"], "states") ?? []).Select(n => ApiParams.AsString(n, "states")?.ToLowerInvariant()).ToList();
                if (states.Count == 0 || states.Any(s => s is null || !FilterStates.Contains(s))) throw new ApiParamException(422, FilterStatesRequired);
                return q.Where(s => states.Contains(s.State));
            case "tags":
                var tagIds = AnyIds(any, "ids", "matching", type);
                return q.Where(s => db.Subscriptions.Any(x => x.SubscriberId == s.Id && x.SubscribableType == SubscribableTypes.Tag
                    && x.State != SubscriptionStates.Cancelled && tagIds.Contains(x.SubscribableId)));
            case "attribution":
                // The original signup source: the subscriber's first form subscription.
                var formIds = AnyIds(any, "forms", "ids", type);
                return q.Where(s => formIds.Contains(db.Subscriptions
                    .Where(x => x.SubscriberId == s.Id && x.SubscribableType == SubscribableTypes.Form)
                    .OrderBy(x => x.CreatedAt).ThenBy(x => x.Id).Select(x => x.SubscribableId).FirstOrDefault()));
            case "opens" or "clicks" or "sent" or "delivered":
                return Engagement(q, c, type, raw, after, before, any, account, db);
            default:
                throw new ApiParamException(422, FilterTypeInvalid(type));
        }
    }

    /// <summary>
    /// The subscriber's count of opened, clicked, sent or delivered messages in the window, against the thresholds
    /// (at least one when none is given). <c>raw</c> clicks count every click; <c>unique_email</c> one per message.
    /// Opens are recorded once per message, so both modes count opens alike.
    /// </summary>
    static IQueryable<Subscriber> Engagement(IQueryable<Subscriber> q, JsonObject c, string type, bool raw, DateTime? after, DateTime? before,
        List<JsonNode?> any, long account, AppDbContext db)
    {
        List<long>? broadcastIds = null;
        foreach (var item in any)
        {
            var kind = ApiParams.AsString((item as JsonObject)?["type"], "any[type]");
            if (kind == "urls") throw new ApiParamException(422, UrlFilterUnsupported);
            if (kind != "broadcasts") throw new ApiParamException(422, AnyConditionInvalid(type));
            (broadcastIds ??= []).AddRange(ApiParams.AsList(item!["ids"], "ids")?.Select(n => ApiParams.AsLong(n, "ids") ?? 0) ?? []);
        }

        var r = db.BroadcastRecipients.Where(x => x.AccountId == account);
        var d = db.SequenceDeliveries.Where(x => x.AccountId == account);
        if (broadcastIds is not null)
        {
            // Only broadcasts were named: sequence emails are not among them.
            r = r.Where(x => broadcastIds.Contains(x.BroadcastId));
            d = d.Where(x => false);
        }
        switch (type)
        {
            case "opens":
                r = r.Where(x => x.OpenedAt != null && (after == null || x.OpenedAt >= after) && (before == null || x.OpenedAt < before));
                d = d.Where(x => x.OpenedAt != null && (after == null || x.OpenedAt >= after) && (before == null || x.OpenedAt < before));
                break;
            case "clicks":
                r = r.Where(x => x.ClickedAt != null && (after == null || x.ClickedAt >= after) && (before == null || x.ClickedAt < before));
                d = d.Where(x => x.ClickedAt != null && (after == null || x.ClickedAt >= after) && (before == null || x.ClickedAt < before));
                break;
            default:
                var delivered = type == "delivered";
                r = r.Where(x => x.SentAt != null && (!delivered || !x.Bounced) && (after == null || x.SentAt >= after) && (before == null || x.SentAt < before));
                d = d.Where(x => x.SentAt != null && (!delivered || !x.Bounced) && (after == null || x.SentAt >= after) && (before == null || x.SentAt < before));
                break;
        }

        var gt = Count(c, "count_greater_than");
        var gte = Count(c, "count_greater_than_or_equal");
        var lt = Count(c, "count_less_than");
        var lte = Count(c, "count_less_than_or_equal");
        if (gt is null && gte is null && lt is null && lte is null) gte = 1;
        var clicksRaw = raw && type == "clicks";
        // One correlated count per bound; EF inlines r and d into each.
        if (gt is { } g) q = clicksRaw
            ? q.Where(s => r.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) + d.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) > g)
            : q.Where(s => r.Count(x => x.SubscriberId == s.Id) + d.Count(x => x.SubscriberId == s.Id) > g);
        if (gte is { } ge) q = clicksRaw
            ? q.Where(s => r.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) + d.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) >= ge)
            : q.Where(s => r.Count(x => x.SubscriberId == s.Id) + d.Count(x => x.SubscriberId == s.Id) >= ge);
        if (lt is { } l) q = clicksRaw
            ? q.Where(s => r.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) + d.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) < l)
            : q.Where(s => r.Count(x => x.SubscriberId == s.Id) + d.Count(x => x.SubscriberId == s.Id) < l);
        if (lte is { } le) q = clicksRaw
            ? q.Where(s => r.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) + d.Where(x => x.SubscriberId == s.Id).Sum(x => x.Clicks) <= le)
            : q.Where(s => r.Count(x => x.SubscriberId == s.Id) + d.Count(x => x.SubscriberId == s.Id) <= le);
        return q;
    }

    static int? Count(JsonObject c, string name) => ApiParams.AsLong(c[name], name) switch
    {
        null => null,
        var n => (int)Math.Clamp(n.Value, int.MinValue, int.MaxValue),
    };

    static DateTime? Date(JsonObject c, string name)
    {
        var text = ApiParams.AsString(c[name], name);
        if (text is null) return null;
        return KitTimestamps.TryParse(text, out var utc) ? utc : throw new ApiParamException(422, V4SubscriberFilters.DateInvalid(name));
    }

    /// <summary>The ids of the <c>any</c> conditions of kind <paramref name="kind"/> (their list under <paramref name="field"/>).</summary>
    static List<long> AnyIds(List<JsonNode?> any, string kind, string field, string type)
    {
        var ids = new List<long>();
        foreach (var item in any)
        {
            if (item is not JsonObject o || ApiParams.AsString(o["type"], "any[type]") != kind) throw new ApiParamException(422, AnyConditionInvalid(type));
            ids.AddRange(ApiParams.AsList(o[field], field)?.Select(n => ApiParams.AsLong(n, field) ?? 0) ?? []);
        }
        return ids;
    }
}
