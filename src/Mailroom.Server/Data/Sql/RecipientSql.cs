namespace Mailroom.Server.Data.Sql;

/// <summary>
/// Freezing a broadcast's recipient list is one INSERT … SELECT: a million rows through EF change
/// tracking would take minutes and hundreds of MB; this takes seconds and no memory. Each row gets an
/// unguessable 128-bit token from the database's own strong random source, hence one statement per provider.
/// </summary>
static class RecipientSql
{
    public static Task<int> FreezeAsync(AppDbContext db, long accountId, long broadcastId, CancellationToken ct) =>
        db.Database.IsNpgsql()
            ? db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
                SELECT account_id, {broadcastId}, id, replace(gen_random_uuid()::text, '-', ''), 0, false, 0
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' ORDER BY id
                ON CONFLICT DO NOTHING
                """, ct)
            : db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT OR IGNORE INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
                SELECT account_id, {broadcastId}, id, lower(hex(randomblob(16))), 0, 0, 0
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' ORDER BY id
                """, ct);
}
