using Microsoft.AspNetCore.Mvc;
using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/subscribers: list (filters, sorts and composite cursors), upsert, get, update, unsubscribe, a subscriber's tags
/// and stats (here), and the engagement filter (<c>SubscribersEndpoints.Filter.cs</c>). Writes in <c>SubscribersEndpoints.Write.cs</c>.
/// </summary>
static partial class SubscribersEndpoints
{
    public sealed record SubscribersResponse(IReadOnlyList<V4SubscriberResponse> Subscribers, V4Pagination Pagination);
    public sealed record SubscriberEnvelope(V4SubscriberResponse Subscriber)
    {
        /// <summary>Unknown custom field keys the write ignored; absent when there were none.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public IReadOnlyList<string>? Warnings { get; init; }
    }
    public sealed record SubscriberTag(long Id, string Name, DateTime TaggedAt);
    public sealed record SubscriberTagsResponse(IReadOnlyList<SubscriberTag> Tags, V4Pagination Pagination);

    const string Tag = "Subscribers";

    // inferred: Kit's document shows no message for these; worded like its others.
    public const string SortFieldInvalid = "sort_field must be one of: id, created_at, updated_at, cancelled_at";
    public const string SortOrderInvalid = "sort_order must be one of: asc, desc";
    public const string CanceledAtNeedsStatus = "The status param must be `cancelled` if include contains `canceled_at`";

    public static RouteGroupBuilder MapV4Subscribers(this RouteGroupBuilder v4)
    {
        v4.MapGet("/subscribers", List).WithTags(Tag).WithSummary("List subscribers").V4Errors(401, 422);
        v4.MapPost("/subscribers", Create).WithTags(Tag).WithSummary("Create a subscriber").V4Errors(401, 422);
        v4.MapPost("/subscribers/filter", Filter).WithTags(Tag).WithSummary("Filter subscribers based on engagement").V4Errors(401);
        v4.MapGet("/subscribers/{id:long}", Get).WithTags(Tag).WithSummary("Get a subscriber").V4Errors(401, 404);
        v4.MapPut("/subscribers/{id:long}", Update).WithTags(Tag).WithSummary("Update a subscriber").V4Errors(401, 404, 422);
        v4.MapPost("/subscribers/{id:long}/unsubscribe", Unsubscribe).WithTags(Tag).WithSummary("Unsubscribe subscriber").V4Errors(401, 404);
        v4.MapGet("/subscribers/{subscriber_id:long}/stats", Stats).WithTags(Tag).WithSummary("List stats for a subscriber").V4Errors(401);
        v4.MapGet("/subscribers/{subscriber_id:long}/tags", ListTags).WithTags(Tag).WithSummary("List tags for a subscriber").V4Errors(401, 404);
        return v4;
    }

    static async Task<Results<JsonHttpResult<SubscribersResponse>, JsonHttpResult<V4Error>>> List(
        ApiParams p, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var state = V4SubscriberFilters.ReadStatus(p);
        var sortField = p.String("sort_field")?.ToLowerInvariant() ?? "id";
        if (sortField is not ("id" or "created_at" or "updated_at" or "cancelled_at")) return V4Error.Unprocessable(SortFieldInvalid);
        var sortOrder = p.String("sort_order")?.ToLowerInvariant() ?? "desc";
        if (sortOrder is not ("asc" or "desc")) return V4Error.Unprocessable(SortOrderInvalid);
        if (sortField == "cancelled_at" && state != SubscriberStates.Cancelled) return V4Error.Unprocessable(V4Error.CancelledSortNeedsStatus);
        var include = V4Includes.Read(p);
        if (include.Contains("canceled_at") && state != SubscriberStates.Cancelled) return V4Error.Unprocessable(CanceledAtNeedsStatus);
        // inferred: accepted and ignored; every field this list returns is read in a fixed number of queries per page.
        _ = p.Bool("slim");

        var q = db.Subscribers.AsNoTracking().Where(s => s.AccountId == caller.AccountId);
        if (state is not null) q = q.Where(s => s.State == state);
        if (p.String("email_address") is { } emails)
        {
            var list = emails.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(e => !e.Contains('\0')).Select(EmailAddress.Normalize).Distinct().ToList();
            q = q.Where(s => list.Contains(s.NormalizedEmail));
        }
        if (V4SubscriberFilters.ReadDate(p, "created_after") is { } ca) q = q.Where(s => s.CreatedAt >= ca);
        if (V4SubscriberFilters.ReadDate(p, "created_before") is { } cb) q = q.Where(s => s.CreatedAt < cb);
        if (V4SubscriberFilters.ReadDate(p, "updated_after") is { } ua) q = q.Where(s => s.UpdatedAt >= ua);
        if (V4SubscriberFilters.ReadDate(p, "updated_before") is { } ub) q = q.Where(s => s.UpdatedAt < ub);

        var ascending = sortOrder == "asc";
        // Timestamps tie (whole seconds), so their cursors carry the id too: Kit's ["2023-02-17T11:43:55.000Z",16].
        Expression<Func<Subscriber, DateTime>>? time = sortField switch
        {
            "created_at" => s => s.CreatedAt,
            "updated_at" => s => s.UpdatedAt,
            // A cancelled subscriber always has cancelled_at (every path that cancels sets it); created_at stands in
            // for a row imported without one, so no row drops out of the listing.
            "cancelled_at" => s => s.CancelledAt ?? s.CreatedAt,
            _ => null,
        };
        var slice = time is null ? await page.ReadAsync(q, s => s.Id, ct, ascending) : await page.ReadAsync(q, time, s => s.Id, ct, ascending);
        var items = await V4SubscriberViews.FromRowsAsync(db, caller.AccountId, slice.Items, include, ct);
        return V4Json.Ok(new SubscribersResponse(items, slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<SubscriberEnvelope>, JsonHttpResult<V4Error>>> Get(
        long id, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        // The document's example always carries canceled_at (null unless cancelled).
        var items = await V4SubscriberViews.LoadAsync(db, caller.AccountId, [id], new HashSet<string> { "canceled_at" }, ct);
        return items.Count == 0 ? V4Error.NotFound() : V4Json.Ok(new SubscriberEnvelope(items[0]));
    }

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> Unsubscribe(
        long id, V4Caller caller, AppDbContext db, SubscriberService service, CancellationToken ct)
    {
        var email = await db.Subscribers.AsNoTracking().Where(s => s.AccountId == caller.AccountId && s.Id == id)
            .Select(s => s.EmailAddress).FirstOrDefaultAsync(ct);
        if (email is null) return V4Error.NotFound();
        // v3's unsubscribe: cancels the subscriber and its active subscriptions, subscriber_unsubscribe once.
        await service.UnsubscribeAsync(caller.AccountId, email, ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<JsonHttpResult<SubscriberTagsResponse>, JsonHttpResult<V4Error>>> ListTags(
        [FromRoute(Name = "subscriber_id")] long subscriberId, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Subscribers.AnyAsync(s => s.AccountId == caller.AccountId && s.Id == subscriberId, ct)) return V4Error.NotFound();
        // As v3's subscriber tags: pending taggings count, cancelled ones (left by an unsubscribe) do not. Paged by
        // tagging, newest first (the document's cursors are single ids).
        var taggings = db.Subscriptions.AsNoTracking().Where(x => x.AccountId == caller.AccountId && x.SubscriberId == subscriberId
            && x.SubscribableType == SubscribableTypes.Tag && x.State != SubscriptionStates.Cancelled);
        var slice = await page.ReadAsync(taggings, x => x.Id, ct);
        var ids = slice.Items.Select(x => x.SubscribableId).ToList();
        var names = await db.Tags.AsNoTracking().Where(t => t.AccountId == caller.AccountId && ids.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return V4Json.Ok(new SubscriberTagsResponse(
            [.. slice.Items.Where(x => names.ContainsKey(x.SubscribableId)).Select(x => new SubscriberTag(x.SubscribableId, names[x.SubscribableId], x.CreatedAt))],
            slice.Pagination));
    }
}
