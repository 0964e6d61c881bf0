using Microsoft.AspNetCore.Mvc;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Data;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Domain.Subscriptions;
using V3Tags = Mailroom.Server.Api.V3.TagsEndpoints;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/tags: list, create (idempotent on the name, case-insensitively), rename, and tag memberships. Tagging and
/// untagging go through <see cref="SubscriptionService"/>, so tag_add and tag_remove fire exactly as they do for v3.
/// </summary>
static class TagsEndpoints
{
    public sealed record TagResponse(long Id, string Name, DateTime CreatedAt);
    public sealed record TagEnvelope(TagResponse Tag);
    public sealed record TagListItem(long Id, string Name, DateTime CreatedAt)
    {
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public long? SubscriberCount { get; init; }
    }
    public sealed record TagsResponse(IReadOnlyList<TagListItem> Tags, V4Pagination Pagination);
    public sealed record TagSubscribersResponse(IReadOnlyList<TaggedSubscriberResponse> Subscribers, V4Pagination Pagination);

    const string Tag = "Tags";

    public static RouteGroupBuilder MapV4Tags(this RouteGroupBuilder v4)
    {
        v4.MapGet("/tags", List).WithTags(Tag).WithSummary("List tags").V4Errors(401);
        v4.MapPost("/tags", Create).WithTags(Tag).WithSummary("Create a tag").V4Errors(401, 422);
        v4.MapPut("/tags/{id:long}", Update).WithTags(Tag).WithSummary("Update tag name").V4Errors(401, 404, 422);
        v4.MapGet("/tags/{tag_id:long}/subscribers", ListSubscribers).WithTags(Tag).WithSummary("List subscribers for a tag").V4Errors(401, 404);
        v4.MapPost("/tags/{tag_id:long}/subscribers", TagByEmail).WithTags(Tag).WithSummary("Tag a subscriber by email address").V4Errors(401, 404, 422);
        v4.MapDelete("/tags/{tag_id:long}/subscribers", UntagByEmail).WithTags(Tag).WithSummary("Remove tag from subscriber by email address").V4Errors(401, 404, 422);
        v4.MapPost("/tags/{tag_id:long}/subscribers/{id:long}", TagById).WithTags(Tag).WithSummary("Tag a subscriber").V4Errors(401, 404);
        v4.MapDelete("/tags/{tag_id:long}/subscribers/{id:long}", UntagById).WithTags(Tag).WithSummary("Remove tag from subscriber").V4Errors(401, 404);
        return v4;
    }

    static async Task<JsonHttpResult<TagsResponse>> List(ApiParams p, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var slice = await page.ReadAsync(db.Tags.AsNoTracking().Where(t => t.AccountId == caller.AccountId), t => t.Id, ct);
        Dictionary<long, long>? counts = null;
        if (V4Includes.Read(p).Contains("subscriber_count"))
        {
            // The trigger-kept per-day counts of active taggings, so a page never counts its tags' memberships.
            var ids = slice.Items.Select(t => t.Id).ToList();
            counts = (await db.SubscriptionCounts.AsNoTracking()
                .Where(c => c.AccountId == caller.AccountId && c.SubscribableType == SubscribableTypes.Tag
                    && ids.Contains(c.SubscribableId) && c.State == SubscriptionStates.Active)
                .GroupBy(c => c.SubscribableId).Select(g => new { g.Key, Count = g.Sum(c => c.Count) }).ToListAsync(ct))
                .ToDictionary(c => c.Key, c => c.Count);
        }
        return V4Json.Ok(new TagsResponse([.. slice.Items.Select(t => new TagListItem(t.Id, t.Name, t.CreatedAt)
        {
            SubscriberCount = counts is null ? null : counts.GetValueOrDefault(t.Id),
        })], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<TagEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var name = p.String("name");
        if (name is null) return V4Error.Unprocessable(V4Error.NameBlank);
        if (name.Length > V3Tags.MaxNameLength) return V4Error.Unprocessable(ApiError.NameTooLongMessage);
        var normalized = name.ToLowerInvariant();
        var existing = await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.AccountId == caller.AccountId && t.NormalizedName == normalized, ct);
        if (existing is not null) return V4Json.Ok(Envelope(existing));
        var now = time.UtcNowSeconds();
        var tag = new Tag { AccountId = caller.AccountId, Name = name, NormalizedName = normalized, CreatedAt = now, UpdatedAt = now };
        db.Tags.Add(tag);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            // A concurrent request created the same name first: that tag is the answer, as if it had existed.
            db.ChangeTracker.Clear();
            existing = await db.Tags.AsNoTracking().FirstAsync(t => t.AccountId == caller.AccountId && t.NormalizedName == normalized, ct);
            return V4Json.Ok(Envelope(existing));
        }
        return V4Json.Created(Envelope(tag));
    }

    static async Task<Results<JsonHttpResult<TagEnvelope>, JsonHttpResult<V4Error>>> Update(
        long id, ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var tag = await db.Tags.FirstOrDefaultAsync(t => t.AccountId == caller.AccountId && t.Id == id, ct);
        if (tag is null) return V4Error.NotFound();
        var name = p.String("name");
        if (name is null) return V4Error.Unprocessable(V4Error.NameBlank);
        if (name.Length > V3Tags.MaxNameLength) return V4Error.Unprocessable(ApiError.NameTooLongMessage);
        var normalized = name.ToLowerInvariant();
        // Names are unique per account regardless of case (v4 notes §6); renaming a tag to its own name in
        // another case is allowed.
        if (await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.NormalizedName == normalized && t.Id != id, ct))
            return V4Error.Unprocessable(ApiError.NameTakenMessage);
        if (tag.Name != name)
        {
            tag.Name = name;
            tag.NormalizedName = normalized;
            tag.UpdatedAt = time.UtcNowSeconds();
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (UniqueViolation.Is(e))
            {
                return V4Error.Unprocessable(ApiError.NameTakenMessage);
            }
        }
        return V4Json.Ok(Envelope(tag));
    }

    static TagEnvelope Envelope(Tag t) => new(new TagResponse(t.Id, t.Name, t.CreatedAt));

    static async Task<Results<JsonHttpResult<TagSubscribersResponse>, JsonHttpResult<V4Error>>> ListSubscribers(
        [FromRoute(Name = "tag_id")] long tagId, ApiParams p, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.Id == tagId, ct)) return V4Error.NotFound();
        var state = V4SubscriberFilters.ReadStatus(p);
        var createdAfter = V4SubscriberFilters.ReadDate(p, "created_after");
        var createdBefore = V4SubscriberFilters.ReadDate(p, "created_before");
        var taggedAfter = V4SubscriberFilters.ReadDate(p, "tagged_after");
        var taggedBefore = V4SubscriberFilters.ReadDate(p, "tagged_before");
        _ = p.Bool("slim"); // inferred: accepted; every field of this list is cheap, so slim changes nothing.

        var subscribers = db.Subscribers.Where(s => s.AccountId == caller.AccountId);
        if (state is not null) subscribers = subscribers.Where(s => s.State == state);
        if (createdAfter is { } ca) subscribers = subscribers.Where(s => s.CreatedAt >= ca);
        if (createdBefore is { } cb) subscribers = subscribers.Where(s => s.CreatedAt < cb);
        var taggings = db.Subscriptions.AsNoTracking().Where(x => x.AccountId == caller.AccountId
            && x.SubscribableType == SubscribableTypes.Tag && x.SubscribableId == tagId);
        if (taggedAfter is { } ta) taggings = taggings.Where(x => x.CreatedAt >= ta);
        if (taggedBefore is { } tb) taggings = taggings.Where(x => x.CreatedAt < tb);
        if (state is not null || createdAfter is not null || createdBefore is not null)
            taggings = taggings.Where(x => subscribers.Any(s => s.Id == x.SubscriberId));

        // Kit's cursor here is the composite [tagged_at, id] (the document's example), newest tagging first.
        var slice = await page.ReadAsync(taggings, x => x.CreatedAt, x => x.Id, ct);
        var views = await SubscriberViews.LoadAsync(db, caller.AccountId, [.. slice.Items.Select(x => x.SubscriberId)], ct);
        return V4Json.Ok(new TagSubscribersResponse(
            [.. slice.Items.Where(x => views.ContainsKey(x.SubscriberId)).Select(x => TaggedSubscriberResponse.From(views[x.SubscriberId], x.CreatedAt))],
            slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<TaggedSubscriberEnvelope>, JsonHttpResult<V4Error>>> TagByEmail(
        [FromRoute(Name = "tag_id")] long tagId, ApiParams p, V4Caller caller, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        if (!await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.Id == tagId, ct)) return V4Error.NotFound();
        var email = p.String("email_address");
        if (email is null) return V4Error.Unprocessable(V4Error.TagSubscriberRequired);
        var subscriber = await V4SubscriberFilters.FindByEmailAsync(db, caller.AccountId, email, ct);
        return subscriber is null ? V4Error.NotFound() : await TagAsync(caller.AccountId, tagId, subscriber, db, service, ct);
    }

    static async Task<Results<JsonHttpResult<TaggedSubscriberEnvelope>, JsonHttpResult<V4Error>>> TagById(
        [FromRoute(Name = "tag_id")] long tagId, long id, V4Caller caller, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        if (!await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.Id == tagId, ct)) return V4Error.NotFound();
        var subscriber = await db.Subscribers.AsNoTracking().FirstOrDefaultAsync(s => s.AccountId == caller.AccountId && s.Id == id, ct);
        return subscriber is null ? V4Error.NotFound() : await TagAsync(caller.AccountId, tagId, subscriber, db, service, ct);
    }

    /// <summary>
    /// "The subscriber being tagged must already exist": found first, then tagged through the subscribe path, which
    /// raises tag_add once. inferred: the subscriber's state is left as it is (a cancelled subscriber tagged stays
    /// cancelled, an unconfirmed one unconfirmed): v4 tags a subscriber, where v3's tag subscribe signs an address up.
    /// 200 when the tag was already active on the subscriber.
    /// </summary>
    static async Task<Results<JsonHttpResult<TaggedSubscriberEnvelope>, JsonHttpResult<V4Error>>> TagAsync(
        long accountId, long tagId, Subscriber subscriber, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        var already = await db.Subscriptions.AsNoTracking().AnyAsync(x => x.SubscriberId == subscriber.Id
            && x.SubscribableType == SubscribableTypes.Tag && x.SubscribableId == tagId && x.State == SubscriptionStates.Active, ct);
        var result = await service.SubscribeAsync(accountId, SubscribableTypes.Tag, tagId,
            new SubscribeInput(subscriber.EmailAddress, null, null, [], [], []) { KeepState = true }, ct);
        if (result.Error == SubscribeError.TargetNotFound) return V4Error.NotFound();
        // An address stored before a rule tightened can fail today's check; Kit names the address as the problem.
        if (result.Subscription is null) return V4Error.Unprocessable(V4Error.EmailInvalid);
        var view = await SubscriberViews.LoadOneAsync(db, accountId, subscriber.Id, ct);
        var body = new TaggedSubscriberEnvelope(TaggedSubscriberResponse.From(view!, result.Subscription!.CreatedAt));
        return V4Json.OkOrCreated(body, created: !already);
    }

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> UntagByEmail(
        [FromRoute(Name = "tag_id")] long tagId, ApiParams p, V4Caller caller, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        if (!await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.Id == tagId, ct)) return V4Error.NotFound();
        var email = p.String("email_address");
        if (email is null) return V4Error.Unprocessable(V4Error.UntagSubscriberRequired);
        var subscriber = await V4SubscriberFilters.FindByEmailAsync(db, caller.AccountId, email, ct, tracked: true);
        if (subscriber is null) return V4Error.NotFound();
        // inferred: removing a tag the address does not carry is a no-op, as v3's by-email untag is.
        await service.RemoveTagAsync(subscriber, tagId, ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> UntagById(
        [FromRoute(Name = "tag_id")] long tagId, long id, V4Caller caller, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        if (!await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.Id == tagId, ct)) return V4Error.NotFound();
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == caller.AccountId && s.Id == id, ct);
        // As v3's by-id untag: a subscriber without the tag is 404.
        if (subscriber is null || !await service.RemoveTagAsync(subscriber, tagId, ct)) return V4Error.NotFound();
        return TypedResults.NoContent();
    }
}
