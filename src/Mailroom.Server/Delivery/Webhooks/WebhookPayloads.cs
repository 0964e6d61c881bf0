using System.Text.Json;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Purchases;
using Mailroom.Server.Domain.Subscribers;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Mailroom.Server.Delivery.Webhooks;

/// <summary>The subscriber events' body (spec §4.5): the full v3 subscriber object under "subscriber".</summary>
public sealed record SubscriberPayload(SubscriberView Subscriber);

/// <summary>
/// Builds webhook bodies exactly as spec §4.5 shows them, with the API's own JSON settings (snake_case,
/// <c>.fffZ</c> timestamps): <c>{"subscriber": {...}}</c> for subscriber events and, for purchase_create, the bare
/// purchase object as <c>GET /v3/purchases/{id}</c> returns it. The body shows the subscriber or purchase as it is
/// when the event is fanned out, moments after it happened; an event raised with its own payload is sent with that.
/// </summary>
public sealed class WebhookPayloads(IOptions<HttpJsonOptions> json)
{
    JsonSerializerOptions Options => json.Value.SerializerOptions;

    /// <summary>Payload per event id; events whose subscriber or purchase no longer exists get none.</summary>
    public async Task<Dictionary<long, string>> BuildAsync(AppDbContext db, IReadOnlyCollection<OutboxEvent> events, CancellationToken ct)
    {
        var result = new Dictionary<long, string>(events.Count);
        // Events whose body was fixed when they happened (v4's custom_field.*: the field may be gone by now).
        foreach (var e in events.Where(e => e.Payload is not null)) result[e.Id] = e.Payload!;
        events = [.. events.Where(e => e.Payload is null)];
        var purchaseIds = events.Where(e => e.EventName == OutboxEvents.PurchaseCreate && e.PurchaseId is not null)
            .Select(e => e.PurchaseId!.Value).Distinct().ToList();
        if (purchaseIds.Count > 0)
        {
            var purchases = await db.Purchases.AsNoTracking().Include(p => p.Products)
                .Where(p => purchaseIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            foreach (var e in events.Where(e => e.EventName == OutboxEvents.PurchaseCreate))
                if (e.PurchaseId is { } id && purchases.TryGetValue(id, out var purchase) && purchase.AccountId == e.AccountId)
                    result[e.Id] = JsonSerializer.Serialize(PurchaseResponse.From(purchase), Options);
        }

        foreach (var account in events.Where(e => e.EventName != OutboxEvents.PurchaseCreate && e.SubscriberId is not null).GroupBy(e => e.AccountId))
        {
            var views = await SubscriberViews.LoadAsync(db, account.Key, [.. account.Select(e => e.SubscriberId!.Value).Distinct()], ct);
            var bodies = new Dictionary<long, string>();
            foreach (var e in account)
            {
                var id = e.SubscriberId!.Value;
                if (!views.TryGetValue(id, out var view)) continue;
                if (!bodies.TryGetValue(id, out var body))
                    bodies[id] = body = JsonSerializer.Serialize(new SubscriberPayload(view), Options);
                result[e.Id] = body;
            }
        }
        return result;
    }
}
