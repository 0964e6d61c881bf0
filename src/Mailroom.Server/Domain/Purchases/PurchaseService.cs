using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Domain.Purchases;

/// <summary>
/// Records a purchase for its subscriber (found or created by email) and raises its webhook events.
/// Kit upserts by transaction_id: the WordPress library posts transaction "99999" on every test run and
/// expects success each time (spec §4.6).
/// </summary>
public sealed class PurchaseService(AppDbContext db, TimeProvider time, SubscriberService subscribers)
{
    public async Task<(Purchase Purchase, bool Created)> UpsertAsync(long accountId, PurchaseInput input, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryUpsertAsync(accountId, input, ct);
            }
            catch (DbUpdateException) when (attempt < 2)
            {
                // A concurrent request inserted the same transaction or the same new subscriber first (a unique
                // index refused ours). The transaction was rolled back; another pass finds their rows and updates.
                db.ChangeTracker.Clear();
            }
        }
    }

    async Task<(Purchase, bool)> TryUpsertAsync(long accountId, PurchaseInput input, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        // Purchase has no navigation to its subscriber, so a new subscriber is saved first for its id;
        // the transaction keeps subscriber, purchase and events all-or-nothing.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // inferred: a buyer Kit didn't know is added as an active subscriber (a purchase is consent enough
        // for Kit's commerce integrations); an existing subscriber keeps their state.
        var (subscriber, _) = await subscribers.FindOrAddAsync(accountId, input.EmailAddress, SubscriberStates.Active, ct);
        await subscribers.ApplyDetailsAsync(subscriber, input.FirstName, null, ct);
        await db.SaveChangesAsync(ct);

        // Touch the purchase row first: the write lock it takes (held to commit) queues a concurrent re-post of
        // the same transaction behind this one, which then replaces the products this one wrote, never a mix.
        await db.Purchases.Where(x => x.AccountId == accountId && x.TransactionId == input.TransactionId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.UpdatedAt, now), ct);
        var purchase = await db.Purchases.Include(x => x.Products)
            .FirstOrDefaultAsync(x => x.AccountId == accountId && x.TransactionId == input.TransactionId, ct);
        var created = purchase is null;
        HashSet<long> previousPids = [];
        if (purchase is null)
        {
            purchase = new Purchase { AccountId = accountId, TransactionId = input.TransactionId, CreatedAt = now };
            db.Purchases.Add(purchase);
        }
        else
        {
            previousPids = [.. purchase.Products.Select(x => x.Pid)];
            // A re-post replaces the line items: the caller sends the whole purchase each time.
            db.PurchaseProducts.RemoveRange(purchase.Products);
            purchase.Products.Clear();
        }

        purchase.SubscriberId = subscriber.Id;
        purchase.EmailAddress = input.EmailAddress;
        purchase.Status = input.Status;
        purchase.Currency = input.Currency;
        purchase.TransactionTime = input.TransactionTime ?? now;
        purchase.Subtotal = input.Subtotal;
        purchase.Shipping = input.Shipping;
        purchase.Discount = input.Discount;
        purchase.Tax = input.Tax;
        purchase.Total = input.Total;
        purchase.Integration = input.Integration ?? purchase.Integration;
        purchase.UpdatedAt = now;
        for (var i = 0; i < input.Products.Count; i++)
        {
            var p = input.Products[i];
            purchase.Products.Add(new PurchaseProduct
            {
                Position = i, Pid = p.Pid, Lid = p.Lid, Sku = p.Sku, Name = p.Name, UnitPrice = p.UnitPrice, Quantity = p.Quantity,
            });
        }

        // purchase_create fires once, when the transaction is first recorded; product_purchase fires once per
        // product (variants share a pid, spec §4.6) that this transaction had not already included.
        if (created) db.Raise(time, accountId, OutboxEvents.PurchaseCreate, subscriber: subscriber, purchase: purchase);
        foreach (var pid in input.Products.Select(x => x.Pid).Distinct().Where(pid => !previousPids.Contains(pid)))
            // Linked to the purchase too: it makes every event of the purchase wait for its row, so they are
            // inserted in the order raised (purchase_create first).
            db.Raise(time, accountId, OutboxEvents.ProductPurchase, subscriber: subscriber, purchase: purchase,
                matchValue: pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (purchase, created);
    }
}
