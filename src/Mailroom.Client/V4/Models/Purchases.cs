namespace Mailroom.Client.V4;

/// <summary>A purchase.</summary>
/// <param name="Id">The purchase id.</param>
/// <param name="TransactionId">The shop's transaction id (purchases are upserted on it).</param>
/// <param name="SubscriberId">The buyer's subscriber id.</param>
/// <param name="Status">E.g. <c>"paid"</c>.</param>
/// <param name="EmailAddress">The buyer's address.</param>
/// <param name="Currency">The ISO currency code.</param>
/// <param name="TransactionTime">When the purchase happened.</param>
/// <param name="Subtotal">The subtotal.</param>
/// <param name="Discount">The discount.</param>
/// <param name="Tax">The tax.</param>
/// <param name="Total">The total.</param>
/// <param name="Products">The products bought.</param>
public sealed record Purchase(long Id, string TransactionId, long? SubscriberId, string Status, string EmailAddress, string Currency,
    DateTimeOffset TransactionTime, decimal Subtotal, decimal Discount, decimal Tax, decimal Total,
    IReadOnlyList<PurchaseProduct> Products);

/// <summary>A product line of a purchase.</summary>
/// <param name="Quantity">How many.</param>
/// <param name="Lid">The line id.</param>
/// <param name="UnitPrice">The unit price.</param>
/// <param name="Sku">The SKU, when known.</param>
/// <param name="Name">The product name.</param>
/// <param name="Pid">The product id.</param>
public sealed record PurchaseProduct(int Quantity, string Lid, decimal UnitPrice, string? Sku, string Name, string Pid);

/// <summary>The purchase of <c>POST /v4/purchases</c>.</summary>
/// <param name="EmailAddress">The buyer's address (a subscriber is created when new).</param>
/// <param name="TransactionId">The shop's transaction id.</param>
/// <param name="Currency">The ISO currency code.</param>
/// <param name="TransactionTime">When the purchase happened.</param>
/// <param name="Products">The products bought.</param>
public sealed record PurchaseRequest(string EmailAddress, string TransactionId, string Currency, DateTimeOffset TransactionTime,
    IReadOnlyList<PurchaseProduct> Products)
{
    /// <summary>The status; Kit's default is <c>"paid"</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The buyer's first name.</summary>
    public string? FirstName { get; init; }

    /// <summary>The subtotal.</summary>
    public decimal Subtotal { get; init; }

    /// <summary>The tax.</summary>
    public decimal Tax { get; init; }

    /// <summary>The shipping cost.</summary>
    public decimal Shipping { get; init; }

    /// <summary>The discount.</summary>
    public decimal Discount { get; init; }

    /// <summary>The total.</summary>
    public decimal Total { get; init; }
}
