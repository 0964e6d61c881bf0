namespace Mailroom.Client;

/// <summary>A purchase (spec §2, §4.6).</summary>
/// <param name="Id">The purchase id.</param>
/// <param name="TransactionId">The caller's transaction id.</param>
/// <param name="Status">The status, e.g. <c>"paid"</c>.</param>
/// <param name="EmailAddress">The buyer's address.</param>
/// <param name="Currency">The currency code, upper-case.</param>
/// <param name="TransactionTime">When the purchase happened.</param>
/// <param name="Subtotal">The subtotal, when given.</param>
/// <param name="Shipping">The shipping cost, when given.</param>
/// <param name="Discount">The discount, when given.</param>
/// <param name="Tax">The tax, when given.</param>
/// <param name="Total">The total, when given.</param>
/// <param name="Products">The line items.</param>
public sealed record Purchase(long Id, string TransactionId, string? Status, string EmailAddress, string Currency,
    DateTimeOffset TransactionTime, decimal? Subtotal, decimal? Shipping, decimal? Discount, decimal? Tax, decimal? Total,
    IReadOnlyList<PurchaseProduct> Products);

/// <summary>A line item of a purchase.</summary>
/// <param name="Name">The product name.</param>
/// <param name="UnitPrice">The price of one unit.</param>
/// <param name="Quantity">How many units.</param>
/// <param name="Sku">The SKU, when given.</param>
/// <param name="Pid">The product id, when the server echoes it.</param>
/// <param name="Lid">The line-item id, when the server echoes it.</param>
public sealed record PurchaseProduct(string Name, decimal? UnitPrice, int Quantity, string? Sku, long? Pid = null, long? Lid = null);

/// <summary>A purchase to record (<c>POST /v3/purchases</c>). Posting a known <see cref="TransactionId"/> again replaces that purchase.</summary>
/// <param name="TransactionId">Your unique id for the transaction.</param>
/// <param name="EmailAddress">The buyer; a subscriber is created when the address is new.</param>
/// <param name="Currency">A three-letter currency code.</param>
/// <param name="Products">The line items (at least one).</param>
public sealed record PurchaseRequest(string TransactionId, string EmailAddress, string Currency, IReadOnlyList<PurchaseProductRequest> Products)
{
    /// <summary>The buyer's first name, for a new subscriber.</summary>
    public string? FirstName { get; init; }

    /// <summary>When the purchase happened; now when absent.</summary>
    public DateTimeOffset? TransactionTime { get; init; }

    /// <summary>The status; Kit supports only <c>"paid"</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The subtotal.</summary>
    public decimal? Subtotal { get; init; }

    /// <summary>The tax.</summary>
    public decimal? Tax { get; init; }

    /// <summary>The shipping cost.</summary>
    public decimal? Shipping { get; init; }

    /// <summary>The discount.</summary>
    public decimal? Discount { get; init; }

    /// <summary>The total.</summary>
    public decimal? Total { get; init; }
}

/// <summary>A line item to record.</summary>
/// <param name="Name">The product name.</param>
/// <param name="Pid">Your product id, shared by the product's variants; unique within the purchase.</param>
/// <param name="Lid">Your line-item id, unique within the purchase.</param>
/// <param name="UnitPrice">The price of one unit.</param>
/// <param name="Quantity">How many units.</param>
public sealed record PurchaseProductRequest(string Name, long Pid, long Lid, decimal UnitPrice, int Quantity)
{
    /// <summary>The SKU (optional since 2018).</summary>
    public string? Sku { get; init; }
}
