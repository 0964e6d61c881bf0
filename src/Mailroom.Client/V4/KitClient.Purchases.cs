namespace Mailroom.Client.V4;

public sealed partial class KitClient
{
    /// <summary><c>GET /v4/purchases</c>: one page of purchases. OAuth only: an API key is a 401.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Purchase>> ListPurchasesAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("purchases", "purchases", KitJson.Default.ListPurchase, new Query().Page(page), ct);

    /// <summary>Every purchase, page after page as the enumeration goes. OAuth only.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Purchase> ListAllPurchasesAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListPurchasesAsync, perPage, ct);

    /// <summary><c>GET /v4/purchases/{id}</c>: one purchase. OAuth only.</summary>
    /// <param name="id">The purchase.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Purchase> GetPurchaseAsync(long id, CancellationToken ct = default) =>
        GetAsync($"purchases/{Id(id)}", "purchase", KitJson.Default.Purchase, ct);

    /// <summary>
    /// <c>POST /v4/purchases</c>: records a purchase, creating the buyer as a subscriber when new. OAuth only. A blank
    /// transaction id is a 422.
    /// </summary>
    /// <param name="request">The purchase.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Purchase> CreatePurchaseAsync(PurchaseRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Kit upserts purchases by transaction_id, so a retry after a transient failure cannot record it twice.
        return SendJsonAsync(HttpMethod.Post, "purchases", Body(("purchase", ToBody(request, KitJson.Default.PurchaseRequest))),
            "purchase", KitJson.Default.Purchase, idempotent: true, ct);
    }
}
