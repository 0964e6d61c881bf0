using Mailroom.Server.Domain.Purchases;

namespace Mailroom.Server.Api.V3.Contracts;

public sealed record PurchaseListResponse(long TotalPurchases, int Page, int TotalPages, IReadOnlyList<PurchaseResponse> Purchases);
