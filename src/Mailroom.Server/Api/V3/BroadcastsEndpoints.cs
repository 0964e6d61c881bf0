using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Api.V3;

/// <summary>Broadcast CRUD and stats (spec §3.6, §4.7). All secret.</summary>
static class BroadcastsEndpoints
{
    public static RouteGroupBuilder MapBroadcasts(this RouteGroupBuilder v3)
    {
        v3.MapGet("/broadcasts", ListBroadcasts).RequireSecret();
        v3.MapPost("/broadcasts", CreateBroadcast).RequireSecret();
        v3.MapGet("/broadcasts/{id:long}", GetBroadcast).RequireSecret();
        v3.MapGet("/broadcasts/{id:long}/stats", GetBroadcastStats).RequireSecret();
        v3.MapPut("/broadcasts/{id:long}", UpdateBroadcast).RequireSecret();
        v3.MapDelete("/broadcasts/{id:long}", DestroyBroadcast).RequireSecret();
        return v3;
    }

    // Kit pages broadcasts 50 at a time but answers only the array, no totals (spec §1.6).
    static async Task<Results<Ok<BroadcastListResponse>, JsonHttpResult<ApiError>>> ListBroadcasts(
        ApiParams p, Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!Paging.TryDescending(p, out var descending, out var error)) return error!;
        var page = Paging.Page(p);
        var query = db.Broadcasts.AsNoTracking().Where(b => b.AccountId == caller.AccountId);
        query = descending
            ? query.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id)
            : query.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id);
        var items = await query.Skip(Paging.Skip(page)).Take(Paging.PageSize)
            .Select(b => new BroadcastListItem(b.Id, b.CreatedAt, b.Subject)).ToListAsync(ct);
        return TypedResults.Ok(new BroadcastListResponse(items));
    }

    static async Task<Results<Created<BroadcastEnvelope>, JsonHttpResult<ApiError>>> CreateBroadcast(
        ApiParams p, Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var defaultEmail = await DefaultEmailAsync(db, caller, ct);
        var now = time.UtcNowSeconds();
        var broadcast = new Broadcast
        {
            AccountId = caller.AccountId, EmailAddress = defaultEmail, EmailLayoutTemplate = EmailLayouts.TextOnly,
            Status = BroadcastStatuses.Draft, CreatedAt = now, UpdatedAt = now,
        };
        var errors = await BroadcastRequest.ApplyAsync(p, broadcast, defaultEmail, db, ct);
        if (errors.Count > 0) return ApiError.Unprocessable(errors);
        db.Broadcasts.Add(broadcast);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v3/broadcasts/{broadcast.Id}", new BroadcastEnvelope(BroadcastResponse.From(broadcast)));
    }

    static async Task<Results<Ok<BroadcastEnvelope>, JsonHttpResult<ApiError>>> GetBroadcast(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id && b.AccountId == caller.AccountId, ct);
        return broadcast is null ? ApiError.NotFound() : TypedResults.Ok(new BroadcastEnvelope(BroadcastResponse.From(broadcast)));
    }

    static async Task<Results<Ok<BroadcastStatsEnvelope>, JsonHttpResult<ApiError>>> GetBroadcastStats(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var stats = await BroadcastStats.LoadAsync(db, caller.AccountId, id, ct);
        return stats is null
            ? ApiError.NotFound()
            : TypedResults.Ok(new BroadcastStatsEnvelope(new BroadcastStatsBody(id, BroadcastStatsResponse.From(stats))));
    }

    static async Task<Results<Ok<BroadcastEnvelope>, JsonHttpResult<ApiError>>> UpdateBroadcast(
        long id, ApiParams p, Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id && b.AccountId == caller.AccountId, ct);
        if (broadcast is null) return ApiError.NotFound();
        if (!BroadcastLifecycle.IsEditable(broadcast.Status)) return ApiError.BroadcastLocked();
        var errors = await BroadcastRequest.ApplyAsync(p, broadcast, await DefaultEmailAsync(db, caller, ct), db, ct);
        if (errors.Count > 0) return ApiError.Unprocessable(errors);
        broadcast.UpdatedAt = time.UtcNowSeconds();

        // The write is conditional on the broadcast still being editable: the sender may have claimed it
        // since it was read, and an update must never overwrite a broadcast that is already going out.
        var b = broadcast;
        var changed = await EditableById(db, caller, id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Subject, b.Subject).SetProperty(x => x.Content, b.Content)
            .SetProperty(x => x.Description, b.Description).SetProperty(x => x.Public, b.Public)
            .SetProperty(x => x.PublishedAt, b.PublishedAt).SetProperty(x => x.SendAt, b.SendAt)
            .SetProperty(x => x.ThumbnailAlt, b.ThumbnailAlt).SetProperty(x => x.ThumbnailUrl, b.ThumbnailUrl)
            .SetProperty(x => x.EmailAddress, b.EmailAddress).SetProperty(x => x.EmailLayoutTemplate, b.EmailLayoutTemplate)
            .SetProperty(x => x.Status, b.Status).SetProperty(x => x.UpdatedAt, b.UpdatedAt), ct);
        if (changed == 0) return await LockedOrGoneAsync(db, caller, id, ct);
        return TypedResults.Ok(new BroadcastEnvelope(BroadcastResponse.From(broadcast)));
    }

    static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DestroyBroadcast(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var deleted = await EditableById(db, caller, id).ExecuteDeleteAsync(ct);
        if (deleted == 0) return await LockedOrGoneAsync(db, caller, id, ct);
        return TypedResults.NoContent();
    }

    static IQueryable<Broadcast> EditableById(AppDbContext db, Caller caller, long id) =>
        db.Broadcasts.Where(b => b.Id == id && b.AccountId == caller.AccountId
            && (b.Status == BroadcastStatuses.Draft || b.Status == BroadcastStatuses.Scheduled));

    // A conditional write touched nothing: either there is no such broadcast, or it is no longer editable.
    static async Task<JsonHttpResult<ApiError>> LockedOrGoneAsync(AppDbContext db, Caller caller, long id, CancellationToken ct) =>
        await db.Broadcasts.AnyAsync(b => b.Id == id && b.AccountId == caller.AccountId, ct)
            ? ApiError.BroadcastLocked()
            : ApiError.NotFound();

    // Kit sends from the account's default address unless told otherwise (spec §3.6).
    // The account's sending address (mailroom accounts update --sending-address), else its primary one, as Kit does.
    static async Task<string> DefaultEmailAsync(AppDbContext db, Caller caller, CancellationToken ct) =>
        await db.Accounts.AsNoTracking().Where(a => a.Id == caller.AccountId).Select(a => a.SendingEmailAddress ?? a.PrimaryEmailAddress)
            .FirstAsync(ct);
}
