using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V3;

static class SubscribersEndpoints
{
    public static RouteGroupBuilder MapSubscribers(this RouteGroupBuilder v3)
    {
        v3.MapGet("/subscribers", ListSubscribers).RequireSecret();
        v3.MapGet("/subscribers/{id:long}", GetSubscriber).RequireSecret();
        v3.MapPut("/subscribers/{id:long}", UpdateSubscriber).RequireSecret();
        v3.MapPut("/unsubscribe", Unsubscribe).RequireSecret();
        // Kit lets the public api_key read any subscriber's tags (spec §1.2), so this route is not secret-only.
        v3.MapGet("/subscribers/{id:long}/tags", ListSubscriberTags);
        return v3;
    }

    public sealed record SubscriberEnvelope(SubscriberView Subscriber);
    public sealed record SubscribersPage(long TotalSubscribers, int Page, int TotalPages, List<SubscriberView> Subscribers);
    public sealed record SubscriberTagsResponse(List<TagResponse> Tags);

    // Kit processes an update carrying more than this many custom fields in the background and answers 202 (spec §3.5).
    const int SynchronousFieldLimit = 10;

    static async Task<Results<Ok<SubscribersPage>, JsonHttpResult<ApiError>>> ListSubscribers(
        ApiParams p, Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!SubscriberListQuery.TryRead(p, out var query, out var error)) return error!;
        var page = Paging.Page(p);
        var filtered = query.Filter(db.Subscribers.AsNoTracking(), caller.AccountId);
        var skip = (long)Paging.Skip(page);
        long total;
        List<long> ids;
        if (query.ByStateAlone)
        {
            // The day the page starts on comes from the trigger-kept counts: the OFFSET walks half a day at most.
            (total, ids) = await DayPaging.PageAsync(await query.DayCountsAsync(db, caller.AccountId, ct), skip, query.Descending,
                (bound, ascending, offset, take) => query.Order(ascending
                        ? filtered.Where(s => s.CreatedAt >= bound)
                        : filtered.Where(s => s.CreatedAt < bound), reverse: ascending == query.Descending)
                    .Skip(offset).Take(take).Select(s => s.Id).ToListAsync(ct));
        }
        else
        {
            total = await query.CountAsync(db, filtered, caller.AccountId, ct);
            if (skip >= total) ids = [];
            else if (skip * 2 <= total)
                ids = await query.Order(filtered).Skip((int)skip).Take(Paging.PageSize).Select(s => s.Id).ToListAsync(ct);
            else
            {
                // OFFSET walks every skipped index entry, so a page in the far half is read from the other end
                // and flipped: the last page costs what the first one does.
                var take = (int)Math.Min(Paging.PageSize, total - skip);
                var fromEnd = (int)(total - skip - take);
                ids = await query.Order(filtered, reverse: true).Skip(fromEnd).Take(take).Select(s => s.Id).ToListAsync(ct);
                ids.Reverse();
            }
        }

        var views = await SubscriberViews.LoadOrderedAsync(db, caller.AccountId, ids, ct);
        return TypedResults.Ok(new SubscribersPage(total, page, Paging.TotalPages(total), views));
    }

    static async Task<Results<Ok<SubscriberEnvelope>, JsonHttpResult<ApiError>>> GetSubscriber(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var view = await SubscriberViews.LoadOneAsync(db, caller.AccountId, id, ct);
        return view is null ? ApiError.NotFound() : TypedResults.Ok(new SubscriberEnvelope(view));
    }

    static async Task<Results<Ok<SubscriberEnvelope>, Accepted<SubscriberEnvelope>, JsonHttpResult<ApiError>>> UpdateSubscriber(
        long id, ApiParams p, Caller caller, AppDbContext db, SubscriberService service, TimeProvider time, CancellationToken ct)
    {
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.Id == id && s.AccountId == caller.AccountId, ct);
        if (subscriber is null) return ApiError.NotFound();

        // The status depends on how many fields the request carries, known keys or not (spec §3.5).
        var fieldsParam = p.Object("fields");
        var fieldCount = fieldsParam?.Count ?? 0;
        if (fieldCount > CustomFieldKeys.AccountLimit) return ApiError.TooManyCustomFields(CustomFieldKeys.AccountLimit);

        var firstName = p.String("first_name");
        Dictionary<string, string?>? sent = null;
        if (fieldsParam is { Count: > 0 })
        {
            sent = [];
            foreach (var (key, node) in fieldsParam) sent[key] = ApiParams.AsString(node, $"fields[{key}]");
        }
        var email = p.String("email_address");
        var emailChanged = email is not null && email != subscriber.EmailAddress;
        // Its own address is not checked again: an address stored before a rule tightened can still be updated around.
        var violation = SubscriberLimits.Check(emailChanged ? email : null, firstName, sent);
        if (!violation.IsNone) return ApiError.SubscriberInvalid(violation);

        Dictionary<string, string?>? fields = null;
        if (sent is not null)
        {
            // Values for keys the account does not have are ignored, as Kit does (spec §4.3), once they passed the limits.
            var keys = await db.CustomFields.AsNoTracking().Where(f => f.AccountId == caller.AccountId)
                .Select(f => f.Key).ToListAsync(ct);
            fields = sent.Where(f => keys.Contains(f.Key)).ToDictionary();
        }

        if (emailChanged)
        {
            // Its own address (in any case) is fine: S3 "changes" the email to the one it already has.
            if (await EmailTakenAsync(db, subscriber, email!, ct)) return ApiError.EmailTaken();
            subscriber.EmailAddress = email!;
            subscriber.NormalizedEmail = EmailAddress.Normalize(email!);
            subscriber.UpdatedAt = time.UtcNowSeconds();
        }
        var changes = await service.ApplyDetailsAsync(subscriber, firstName, fields, ct);
        await CustomFieldEvents.RaiseValueUpdatedAsync(db, time, subscriber, changes, ct);

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (emailChanged)
        {
            // Another request took the address between the check and the save; the unique index caught it.
            if (await EmailTakenAsync(db, subscriber, email!, ct)) return ApiError.EmailTaken();
            throw;
        }

        var view = new SubscriberEnvelope((await SubscriberViews.LoadOneAsync(db, caller.AccountId, id, ct))!);
        return fieldCount > SynchronousFieldLimit ? TypedResults.Accepted((string?)null, view) : TypedResults.Ok(view);
    }

    static Task<bool> EmailTakenAsync(AppDbContext db, Subscriber subscriber, string email, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        return db.Subscribers.AsNoTracking().AnyAsync(s => s.AccountId == subscriber.AccountId
            && s.NormalizedEmail == normalized && s.Id != subscriber.Id, ct);
    }

    static async Task<Results<Ok<SubscriberEnvelope>, JsonHttpResult<ApiError>>> Unsubscribe(
        ApiParams p, Caller caller, AppDbContext db, SubscriberService service, CancellationToken ct)
    {
        // inferred: no email at all is the missing-parameter error Kit gives the tag unsubscribe call;
        // an unknown or malformed one is 404 Not Found (S7 `invalid-email-address`).
        var email = p.String("email");
        if (email is null) return ApiError.EmailRequired();
        // No stored address holds a NUL, and PostgreSQL refuses one even as a query parameter.
        if (email.Contains('\0')) return ApiError.NotFound();
        var subscriber = await service.UnsubscribeAsync(caller.AccountId, email, ct);
        if (subscriber is null) return ApiError.NotFound();
        var view = await SubscriberViews.LoadOneAsync(db, caller.AccountId, subscriber.Id, ct);
        return TypedResults.Ok(new SubscriberEnvelope(view!));
    }

    static async Task<Results<Ok<SubscriberTagsResponse>, JsonHttpResult<ApiError>>> ListSubscriberTags(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Subscribers.AnyAsync(s => s.Id == id && s.AccountId == caller.AccountId, ct)) return ApiError.NotFound();
        // inferred: pending (inactive) tag subscriptions are listed, because S3 reads a subscriber's tags right after
        // a double opt-in form subscribe; cancelled ones (left by PUT /unsubscribe) are not, since the subscriber is
        // no longer on those tags' active lists. Order: when the tag was applied.
        var tags = await db.Subscriptions.AsNoTracking()
            .Where(x => x.AccountId == caller.AccountId && x.SubscriberId == id
                && x.SubscribableType == SubscribableTypes.Tag && x.State != SubscriptionStates.Cancelled)
            .Join(db.Tags.Where(t => t.AccountId == caller.AccountId), x => x.SubscribableId, t => t.Id,
                (x, t) => new { TaggedAt = x.CreatedAt, SubscriptionId = x.Id, t.Id, t.Name, t.CreatedAt })
            .OrderBy(r => r.TaggedAt).ThenBy(r => r.SubscriptionId)
            .Select(r => new TagResponse(r.Id, r.Name, r.CreatedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(new SubscriberTagsResponse(tags));
    }
}
