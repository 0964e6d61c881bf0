using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain.Purchases;

namespace Mailroom.Server.Api.V3;

/// <summary>Purchases (spec §3.9, §4.6). All secret.</summary>
static class PurchasesEndpoints
{
    public static RouteGroupBuilder MapPurchases(this RouteGroupBuilder v3)
    {
        v3.MapGet("/purchases", ListPurchases).RequireSecret();
        v3.MapGet("/purchases/{id:long}", GetPurchase).RequireSecret();
        v3.MapPost("/purchases", CreatePurchase).RequireSecret();
        return v3;
    }

    static async Task<Ok<PurchaseListResponse>> ListPurchases(ApiParams p, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var page = Paging.Page(p);
        var query = db.Purchases.AsNoTracking().Where(x => x.AccountId == caller.AccountId);
        var total = await query.LongCountAsync(ct);
        // inferred: oldest first, like the other v3 lists; Kit's docs show ascending ids.
        var purchases = await query.OrderBy(x => x.Id).Skip(Paging.Skip(page)).Take(Paging.PageSize)
            .Include(x => x.Products).AsSplitQuery().ToListAsync(ct);
        return TypedResults.Ok(new PurchaseListResponse(total, page, Paging.TotalPages(total),
            [.. purchases.Select(PurchaseResponse.From)]));
    }

    // The bare object, not wrapped: the PHP SDK reads $result->id (spec §3.9).
    static async Task<Results<Ok<PurchaseResponse>, JsonHttpResult<ApiError>>> GetPurchase(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var purchase = await db.Purchases.AsNoTracking().Include(x => x.Products)
            .FirstOrDefaultAsync(x => x.Id == id && x.AccountId == caller.AccountId, ct);
        return purchase is null ? ApiError.NotFound() : TypedResults.Ok(PurchaseResponse.From(purchase));
    }

    // 201 with the bare object, also when an existing transaction_id was replaced: it is one Rails create
    // action ("Create or Update Purchase"), and the WordPress library re-posts the same transaction each run.
    static async Task<Results<Created<PurchaseResponse>, JsonHttpResult<ApiError>>> CreatePurchase(
        ApiParams p, Caller caller, PurchaseService purchases, CancellationToken ct)
    {
        // `integration_key` at the top level is tracking for partner integrations: accepted, never stored.
        var body = p.Object("purchase");
        if (body is null) return ApiError.PurchaseInvalid([ApiError.PurchaseBlankMessage]);
        var input = PurchaseRequest.Read(body, out var errors);
        if (input is null) return ApiError.PurchaseInvalid(errors);
        var (purchase, _) = await purchases.UpsertAsync(caller.AccountId, input, ct);
        return TypedResults.Created($"/v3/purchases/{purchase.Id}", PurchaseResponse.From(purchase));
    }
}
