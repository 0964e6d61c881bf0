namespace Mailroom.Server.Data.Sql;

/// <summary>
/// Loads an address's subscriber and holds its row until the transaction ends, so two subscribe calls for one address
/// take turns instead of inserting its subscriptions in two orders and deadlocking on the (subscriber, target) index
/// and the count rows. LINQ has no FOR UPDATE. NO KEY UPDATE is the lock an UPDATE of the row takes anyway: it does
/// not block inserts that only reference the subscriber (outbox events, an untag), which take KEY SHARE.
/// PostgreSQL only; SQLite already has one writer at a time.
/// </summary>
static class SubscriberLockSql
{
    /// <summary>True when the address has a subscriber, now locked and tracked.</summary>
    public static async Task<bool> LockAsync(AppDbContext db, long accountId, string normalizedEmail, CancellationToken ct) =>
        (await db.Subscribers.FromSql($"""
            SELECT * FROM subscribers WHERE account_id = {accountId} AND normalized_email = {normalizedEmail} FOR NO KEY UPDATE
            """).ToListAsync(ct)).Count > 0;
}
