using System.Globalization;
using System.Text.Json.Serialization;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Purchases;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// GET/POST /v4/purchases and GET /v4/purchases/{id}, OAuth only (v4 notes §1). The same purchases as v3's, recorded by
/// the same <see cref="PurchaseService"/> (upsert by transaction_id, purchase_create and product_purchase events).
/// </summary>
static class PurchasesEndpoints
{
    public sealed record ProductResponse(long Quantity, string Lid,
        [property: JsonConverter(typeof(KitMoneyConverter))] decimal? UnitPrice, string? Sku, string Name, string Pid);
    public sealed record PurchaseBody(long Id, string TransactionId, long SubscriberId, string? Status, string EmailAddress, string Currency,
        DateTime TransactionTime,
        [property: JsonConverter(typeof(KitMoneyConverter))] decimal? Subtotal,
        [property: JsonConverter(typeof(KitMoneyConverter))] decimal? Discount,
        [property: JsonConverter(typeof(KitMoneyConverter))] decimal? Tax,
        [property: JsonConverter(typeof(KitMoneyConverter))] decimal? Total,
        IReadOnlyList<ProductResponse> Products);
    public sealed record PurchaseEnvelope(PurchaseBody Purchase);
    public sealed record PurchasesResponse(IReadOnlyList<PurchaseBody> Purchases, V4Pagination Pagination);

    public static RouteGroupBuilder MapV4Purchases(this RouteGroupBuilder v4)
    {
        v4.MapGet("/purchases", List).WithTags("Purchases").WithSummary("List purchases").OAuthOnly().V4Errors(401);
        v4.MapPost("/purchases", Create).WithTags("Purchases").WithSummary("Create a purchase").OAuthOnly().V4Errors(401, 422);
        v4.MapGet("/purchases/{id}", Get).WithTags("Purchases").WithSummary("Get a purchase").OAuthOnly().V4Errors(401, 404);
        return v4;
    }

    static async Task<JsonHttpResult<PurchasesResponse>> List(V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var slice = await page.ReadAsync(db.Purchases.AsNoTracking().Include(x => x.Products).AsSplitQuery()
            .Where(x => x.AccountId == caller.AccountId), x => x.Id, ct);
        return V4Json.Ok(new PurchasesResponse([.. slice.Items.Select(Body)], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<PurchaseEnvelope>, JsonHttpResult<V4Error>>> Get(string id, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var purchaseId)) return V4Error.NotFound();
        var purchase = await db.Purchases.AsNoTracking().Include(x => x.Products)
            .FirstOrDefaultAsync(x => x.Id == purchaseId && x.AccountId == caller.AccountId, ct);
        return purchase is null ? V4Error.NotFound() : V4Json.Ok(new PurchaseEnvelope(Body(purchase)));
    }

    // 201 also when the transaction_id was known and its purchase replaced: one create action, as in v3.
    static async Task<Results<JsonHttpResult<PurchaseEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, PurchaseService purchases, CancellationToken ct)
    {
        var body = p.Node("purchase") as System.Text.Json.Nodes.JsonObject;
        if (body is null || ApiParams.AsString(body["transaction_id"], "transaction_id") is null)
            return V4Error.Unprocessable(V4Error.TransactionBlank);
        // inferred: Kit shows only the transaction's message; the rest are v3's checks in v3's words, as a 422 list.
        var input = PurchaseRequest.Read(body, out var errors);
        if (input is null) return V4Error.Unprocessable(errors);
        var (purchase, _) = await purchases.UpsertAsync(caller.AccountId, input, ct);
        return V4Json.Created(new PurchaseEnvelope(Body(purchase)));
    }

    // pid and lid are strings in v4 (Kit's examples: "804-02-4430"); Mailroom stores them as integers (v3's type).
    static PurchaseBody Body(Purchase p) => new(p.Id, p.TransactionId, p.SubscriberId, p.Status, p.EmailAddress, p.Currency,
        p.TransactionTime, p.Subtotal ?? 0, p.Discount ?? 0, p.Tax ?? 0, p.Total ?? 0,
        [.. p.Products.OrderBy(x => x.Position).Select(x => new ProductResponse((long)x.Quantity,
            x.Lid.ToString(CultureInfo.InvariantCulture), x.UnitPrice, x.Sku, x.Name, x.Pid.ToString(CultureInfo.InvariantCulture)))]);
}
