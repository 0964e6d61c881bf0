using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Data;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V3;

static class TagsEndpoints
{
    public const int MaxNameLength = Domain.Tags.TagService.NameMaxLength;

    public static RouteGroupBuilder MapTags(this RouteGroupBuilder v3)
    {
        v3.MapGet("/tags", ListTags);
        v3.MapPost("/tags", CreateTags);
        v3.MapPost("/tags/{id:long}/subscribe", TagSubscriber);
        v3.MapPost("/tags/{id:long}/unsubscribe", UntagSubscriberByEmail).RequireSecret();
        v3.MapDelete("/subscribers/{subscriberId:long}/tags/{tagId:long}", UntagSubscriber).RequireSecret();
        v3.MapGet("/tags/{id:long}/subscriptions", ListTagSubscriptions).RequireSecret();
        return v3;
    }

    public sealed record TagsResponse(IReadOnlyList<TagResponse> Tags);

    static async Task<Ok<TagsResponse>> ListTags(Caller caller, AppDbContext db, CancellationToken ct)
    {
        var tags = await db.Tags.AsNoTracking().Where(t => t.AccountId == caller.AccountId).OrderBy(t => t.Id).ToListAsync(ct);
        return TypedResults.Ok(new TagsResponse([.. tags.Select(TagResponse.From)]));
    }

    /// <summary>
    /// <c>tag</c> as an object creates one tag and answers it bare; as an array (even of one, spec §8) it answers
    /// an array in input order. Every name is checked before any is created, so a bad item creates nothing.
    /// </summary>
    static async Task<Results<Created<CreatedTagResponse>, Created<List<CreatedTagResponse>>, JsonHttpResult<ApiError>>> CreateTags(
        ApiParams p, Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (many, names) = ReadNames(p.Node("tag"));
        var errors = new List<string>();
        if (names.Count == 0 || names.Any(n => n is null)) errors.Add(ApiError.NameBlankMessage);
        if (names.Any(n => n is { Length: > MaxNameLength })) errors.Add(ApiError.NameTooLongMessage);
        if (errors.Count > 0) return ApiError.Unprocessable(errors);

        // Names are unique per account regardless of case, within one request as well as against stored tags.
        var normalized = names.Select(n => n!.ToLowerInvariant()).ToList();
        var taken = normalized.Distinct().Count() < normalized.Count
            || await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && normalized.Contains(t.NormalizedName), ct);
        if (taken) return ApiError.Unprocessable(ApiError.NameTakenMessage);

        var now = time.UtcNowSeconds();
        var tags = names.Select((name, i) => new Tag
        {
            AccountId = caller.AccountId, Name = name!, NormalizedName = normalized[i], CreatedAt = now, UpdatedAt = now,
        }).ToList();
        db.Tags.AddRange(tags);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            // A concurrent request created one of these names between our check and our insert.
            return ApiError.Unprocessable(ApiError.NameTakenMessage);
        }
        var created = tags.Select(CreatedTagResponse.From).ToList();
        return many ? TypedResults.Created((string?)null, created) : TypedResults.Created((string?)null, created[0]);
    }

    static (bool Many, List<string?> Names) ReadNames(JsonNode? tag)
    {
        // tag[][name]=A (Rails) and JSON arrays are lists; so is tag[0][name]=A, which nests as {"0": {...}}.
        var many = tag is JsonArray || (tag is JsonObject o && o.Count > 0 && o.All(kv => int.TryParse(kv.Key, out _)));
        var items = tag switch
        {
            null => [null],
            _ when many => ApiParams.AsList(tag, "tag")!,
            JsonObject => [tag],
            _ => throw new ApiParamException(400, ApiError.MustBeObjectOrArray("tag")),
        };
        return (many, [.. items.Select(item => item switch
        {
            null => null,
            JsonObject obj => ApiParams.AsString(obj["name"], "tag[name]"),
            _ => throw new ApiParamException(400, ApiError.MustBeObjectOrArray("tag")),
        })]);
    }

    static Task<Results<Ok<SubscribeResponse>, JsonHttpResult<ApiError>>> TagSubscriber(long id, ApiParams p, Caller caller,
        SubscriptionService service, AppDbContext db, CancellationToken ct) =>
        Subscribing.SubscribeAsync(SubscribableTypes.Tag, id, p, caller, service, db, ct);

    static async Task<Results<Ok<TagResponse>, JsonHttpResult<ApiError>>> UntagSubscriberByEmail(long id, ApiParams p, Caller caller,
        SubscriptionService service, AppDbContext db, CancellationToken ct)
    {
        var tag = await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.AccountId == caller.AccountId && t.Id == id, ct);
        if (tag is null) return ApiError.NotFound();
        var email = p.String("email");
        if (email is null) return ApiError.EmailRequired();
        var normalized = EmailAddress.Normalize(email);
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == caller.AccountId && s.NormalizedEmail == normalized, ct);
        if (subscriber is null) return ApiError.NotFound();
        // inferred: removing a tag the address does not carry is a no-op that still answers the tag, as
        // Rails' `tags.delete(tag)` would; the subscriber-id route below is stricter (spec §3.4).
        await service.RemoveTagAsync(subscriber, tag.Id, ct);
        return TypedResults.Ok(TagResponse.From(tag));
    }

    static async Task<Results<Ok<TagResponse>, JsonHttpResult<ApiError>>> UntagSubscriber(long subscriberId, long tagId, Caller caller,
        SubscriptionService service, AppDbContext db, CancellationToken ct)
    {
        var tag = await db.Tags.AsNoTracking().FirstOrDefaultAsync(t => t.AccountId == caller.AccountId && t.Id == tagId, ct);
        var subscriber = tag is null ? null
            : await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == caller.AccountId && s.Id == subscriberId, ct);
        if (tag is null || subscriber is null || !await service.RemoveTagAsync(subscriber, tag.Id, ct)) return ApiError.NotFound();
        return TypedResults.Ok(TagResponse.From(tag));
    }

    static async Task<Results<Ok<SubscriptionsPageResponse>, JsonHttpResult<ApiError>>> ListTagSubscriptions(long id, ApiParams p,
        Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Tags.AnyAsync(t => t.AccountId == caller.AccountId && t.Id == id, ct)) return ApiError.NotFound();
        return await SubscriptionLists.ListAsync(db, p, caller.AccountId, SubscribableTypes.Tag, id, ct);
    }
}
