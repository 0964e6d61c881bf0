using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;

namespace Mailroom.Server.Api.V4.Bulk;

public sealed partial class BulkApplier
{
    sealed record TagItem(string? Name);
    sealed record TaggingItem(long? TagId, long? SubscriberId);
    sealed record SubscriberRow(long Id, string? FirstName, string EmailAddress, DateTime CreatedAt);

    static List<TagItem> ReadTags(JsonArray items) =>
        [.. items.Select(n => new TagItem(ApiParams.AsString(((JsonObject)n!)["name"], "name")))];

    static List<TaggingItem> ReadTaggings(JsonArray items) =>
        [.. items.Select(n => (JsonObject)n!).Select(o => new TaggingItem(ApiParams.AsLong(o["tag_id"], "tag_id"), ApiParams.AsLong(o["subscriber_id"], "subscriber_id")))];

    /// <summary>POST /v4/bulk/tags: "creates or returns existing tags"; names are unique per account whatever their case.</summary>
    async Task<JsonObject> TagsAsync(long accountId, List<TagItem> items, CancellationToken ct)
    {
        var failures = new JsonArray();
        var valid = new List<string>();
        foreach (var item in items)
        {
            var problem = item.Name is null ? V4Error.NameBlank : item.Name.Length > Api.V3.TagsEndpoints.MaxNameLength ? ApiError.NameTooLongMessage : null;
            if (problem is null) valid.Add(item.Name!);
            // inferred: Kit's document types tag failures as {}; they are shaped like the other bulk failures.
            else failures.Add(new JsonObject { ["tag"] = new JsonObject { ["name"] = item.Name }, ["errors"] = Errors(problem) });
        }

        var tags = new Dictionary<string, Tag>();
        foreach (var chunk in Chunks(valid.Select(n => n.ToLowerInvariant()).Distinct()))
            foreach (var t in await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && chunk.Contains(t.NormalizedName)).ToListAsync(ct))
                tags[t.NormalizedName] = t;
        var now = time.UtcNowSeconds();
        var fresh = new List<Tag>();
        foreach (var name in valid)
        {
            var normalized = name.ToLowerInvariant();
            if (tags.ContainsKey(normalized)) continue;
            var tag = new Tag { AccountId = accountId, Name = name, NormalizedName = normalized, CreatedAt = now, UpdatedAt = now };
            tags[normalized] = tag;
            fresh.Add(tag);
        }
        foreach (var chunk in fresh.Chunk(SaveChunk))
        {
            db.Tags.AddRange(chunk);
            await SaveAndClearAsync(ct);
        }
        var result = new JsonArray();
        foreach (var name in valid)
        {
            var t = tags[name.ToLowerInvariant()];
            result.Add(new JsonObject { ["id"] = t.Id, ["name"] = t.Name, ["created_at"] = Stamp(t.CreatedAt) });
        }
        return new JsonObject { ["tags"] = result, ["failures"] = failures };
    }

    /// <summary>The account's subscribers among <paramref name="ids"/>.</summary>
    async Task<Dictionary<long, SubscriberRow>> SubscriberRowsAsync(long accountId, IEnumerable<long> ids, CancellationToken ct)
    {
        var rows = new Dictionary<long, SubscriberRow>();
        foreach (var chunk in Chunks(ids.Distinct()))
            foreach (var s in await db.Subscribers.AsNoTracking().Where(s => s.AccountId == accountId && chunk.Contains(s.Id))
                         .Select(s => new SubscriberRow(s.Id, s.FirstName, s.EmailAddress, s.CreatedAt)).ToListAsync(ct))
                rows[s.Id] = s;
        return rows;
    }

    async Task<HashSet<long>> IdsAsync(IQueryable<long> source, IEnumerable<long> ids, CancellationToken ct)
    {
        var found = new HashSet<long>();
        foreach (var chunk in Chunks(ids.Distinct()))
            found.UnionWith(await source.Where(id => chunk.Contains(id)).ToListAsync(ct));
        return found;
    }

    /// <summary>Splits taggings into those whose tag and subscriber are the account's and failures in Kit's shape.</summary>
    async Task<(List<(long TagId, SubscriberRow Subscriber)> Valid, JsonArray Failures)> CheckTaggingsAsync(
        long accountId, List<TaggingItem> items, CancellationToken ct)
    {
        var tagIds = await IdsAsync(db.Tags.Where(t => t.AccountId == accountId).Select(t => t.Id),
            items.Where(i => i.TagId is not null).Select(i => i.TagId!.Value), ct);
        var subscribers = await SubscriberRowsAsync(accountId, items.Where(i => i.SubscriberId is not null).Select(i => i.SubscriberId!.Value), ct);
        var valid = new List<(long, SubscriberRow)>();
        var failures = new JsonArray();
        foreach (var item in items)
        {
            var tagOk = item.TagId is { } t && tagIds.Contains(t);
            var subscriber = item.SubscriberId is { } s ? subscribers.GetValueOrDefault(s) : null;
            if (tagOk && subscriber is not null) { valid.Add((item.TagId!.Value, subscriber)); continue; }
            var errors = new List<string>();
            if (subscriber is null) errors.Add(V4Error.SubscriberDoesNotExist);
            if (!tagOk) errors.Add(V4Error.TagDoesNotExist);
            // Kit echoes what it resolved: an id that names nothing of the account comes back null.
            failures.Add(new JsonObject
            {
                ["errors"] = Errors([.. errors]),
                ["tagging"] = new JsonObject { ["tag_id"] = tagOk ? item.TagId : null, ["subscriber_id"] = subscriber?.Id },
            });
        }
        return (valid, failures);
    }

    async Task<Dictionary<(long SubscriberId, long TargetId), (long Id, DateTime CreatedAt)>> SubscriptionsAsync(
        string type, IEnumerable<(long SubscriberId, long TargetId)> pairs, CancellationToken ct)
    {
        var wanted = pairs.ToHashSet();
        var found = new Dictionary<(long, long), (long, DateTime)>();
        foreach (var chunk in Chunks(wanted.Select(p => p.SubscriberId).Distinct()))
        {
            var targets = wanted.Where(p => chunk.Contains(p.SubscriberId)).Select(p => p.TargetId).Distinct().ToList();
            var rows = await db.Subscriptions.AsNoTracking()
                .Where(s => s.SubscribableType == type && chunk.Contains(s.SubscriberId) && targets.Contains(s.SubscribableId))
                .Select(s => new { s.Id, s.SubscriberId, s.SubscribableId, s.CreatedAt }).ToListAsync(ct);
            foreach (var r in rows.Where(r => wanted.Contains((r.SubscriberId, r.SubscribableId))))
                found[(r.SubscriberId, r.SubscribableId)] = (r.Id, r.CreatedAt);
        }
        return found;
    }

    /// <summary>POST /v4/bulk/tags/subscribers: tags each subscriber (tag_add for each new tagging); a tagging that exists is listed as it is.</summary>
    async Task<JsonObject> TagAsync(long accountId, List<TaggingItem> items, CancellationToken ct)
    {
        var (valid, failures) = await CheckTaggingsAsync(accountId, items, ct);
        var existing = await SubscriptionsAsync(SubscribableTypes.Tag, valid.Select(v => (v.Subscriber.Id, v.TagId)), ct);
        var now = time.UtcNowSeconds();
        var fresh = valid.Select(v => (v.Subscriber.Id, v.TagId)).Distinct().Where(p => !existing.ContainsKey(p)).ToList();
        foreach (var chunk in fresh.Chunk(SaveChunk))
        {
            foreach (var (subscriberId, tagId) in chunk)
            {
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = accountId, SubscriberId = subscriberId, SubscribableType = SubscribableTypes.Tag, SubscribableId = tagId,
                    State = SubscriptionStates.Active, CreatedAt = now, UpdatedAt = now,
                });
                db.Raise(time, accountId, OutboxEvents.TagAdd, subscriberId, Id(tagId));
                existing[(subscriberId, tagId)] = (0, now);
            }
            await SaveAndClearAsync(ct);
        }
        var subscribers = new JsonArray();
        foreach (var (tagId, s) in valid)
            subscribers.Add(new JsonObject
            {
                ["id"] = s.Id, ["first_name"] = s.FirstName, ["email_address"] = s.EmailAddress, ["created_at"] = Stamp(s.CreatedAt),
                ["tagged_at"] = Stamp(existing[(s.Id, tagId)].CreatedAt),
            });
        return new JsonObject { ["subscribers"] = subscribers, ["failures"] = failures };
    }

    /// <summary>DELETE /v4/bulk/tags/subscribers: removes the taggings (deleted, as v3's untag does), tag_remove for each one removed.</summary>
    async Task<JsonObject> UntagAsync(long accountId, List<TaggingItem> items, CancellationToken ct)
    {
        var (valid, failures) = await CheckTaggingsAsync(accountId, items, ct);
        var existing = await SubscriptionsAsync(SubscribableTypes.Tag, valid.Select(v => (v.Subscriber.Id, v.TagId)), ct);
        foreach (var chunk in existing.Chunk(SaveChunk))
        {
            var ids = chunk.Select(e => e.Value.Id).ToList();
            await db.Subscriptions.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(ct);
            foreach (var ((subscriberId, tagId), _) in chunk)
                db.Raise(time, accountId, OutboxEvents.TagRemove, subscriberId, Id(tagId));
            await SaveAndClearAsync(ct);
        }
        return new JsonObject { ["failures"] = failures };
    }
}
