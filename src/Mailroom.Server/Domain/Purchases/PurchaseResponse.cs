namespace Mailroom.Server.Domain.Purchases;

/// <summary>
/// The bare purchase object of get, create and the list (spec §2), also the purchase_create webhook payload: it lives
/// here rather than with the API contracts so webhook delivery can build it without depending on the API.
/// </summary>
public sealed record PurchaseResponse(long Id, string TransactionId, string? Status, string EmailAddress, string Currency,
    DateTime TransactionTime,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitMoneyConverter))] decimal? Subtotal,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitMoneyConverter))] decimal? Shipping,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitMoneyConverter))] decimal? Discount,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitMoneyConverter))] decimal? Tax,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitMoneyConverter))] decimal? Total,
    IReadOnlyList<PurchaseProductResponse> Products)
{
    public static PurchaseResponse From(Purchase p) => new(p.Id, p.TransactionId, p.Status, p.EmailAddress, p.Currency,
        p.TransactionTime, p.Subtotal, p.Shipping, p.Discount, p.Tax, p.Total,
        [.. p.Products.OrderBy(x => x.Position).Select(PurchaseProductResponse.From)]);
}

public sealed record PurchaseProductResponse(long Pid, long Lid, string? Sku, string Name,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitMoneyConverter))] decimal? UnitPrice, long Quantity)
{
    // Quantity is whole in Kit ("quantity": 2) even though it is stored as a decimal.
    public static PurchaseProductResponse From(PurchaseProduct p) =>
        new(p.Pid, p.Lid, p.Sku, p.Name, p.UnitPrice, (long)p.Quantity);
}
