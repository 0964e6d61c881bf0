namespace Mailroom.Client;

public sealed partial class ConvertKitClient
{
    /// <summary><c>GET /v3/purchases</c>: one page (50) of purchases. Requires the api_secret.</summary>
    /// <param name="page">The page, from 1.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<PagedResult<Purchase>> ListPurchasesAsync(int page = 1, CancellationToken ct = default)
    {
        var envelope = await GetAsync("purchases", Scope.Secret, ConvertKitJson.Default.PurchasesEnvelope, ct,
            new Query().Add("page", PageNumber(page))).ConfigureAwait(false);
        return new PagedResult<Purchase>(envelope.Page, envelope.TotalPages, envelope.TotalPurchases, envelope.Purchases);
    }

    /// <summary>Every purchase, reading page after page as the enumeration goes. Requires the api_secret.</summary>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Purchase> ListAllPurchasesAsync(CancellationToken ct = default) =>
        WalkPagesAsync((page, token) => ListPurchasesAsync(page, token), ct);

    /// <summary><c>GET /v3/purchases/{id}</c>: one purchase. Requires the api_secret.</summary>
    /// <param name="purchaseId">The purchase.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Purchase> GetPurchaseAsync(long purchaseId, CancellationToken ct = default) =>
        GetAsync($"purchases/{Id(purchaseId)}", Scope.Secret, ConvertKitJson.Default.Purchase, ct);

    /// <summary>
    /// <c>POST /v3/purchases</c>: records a purchase, or replaces the one with the same transaction id. Missing or bad fields
    /// are a 400 listing every problem. Requires the api_secret.
    /// </summary>
    /// <param name="request">The purchase.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Purchase> CreatePurchaseAsync(PurchaseRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = Body(("purchase", ToBody(request, ConvertKitJson.Default.PurchaseRequest)));
        // Kit upserts by transaction_id, so repeating the call after a lost answer records nothing twice.
        return SendJsonAsync(HttpMethod.Post, "purchases", Scope.Secret, body, ConvertKitJson.Default.Purchase, idempotent: true, ct);
    }
}
