namespace Mailroom.Server.Domain.Purchases;

/// <summary>A validated purchase as the API received it (spec §4.6); amounts already rounded to what is stored.</summary>
public sealed record PurchaseInput(string TransactionId, string EmailAddress, string? FirstName, string Currency,
    DateTime? TransactionTime, string Status, decimal? Subtotal, decimal? Shipping, decimal? Discount, decimal? Tax,
    decimal? Total, string? Integration, IReadOnlyList<ProductInput> Products);

public sealed record ProductInput(long Pid, long Lid, string? Sku, string Name, decimal UnitPrice, int Quantity);
