namespace Mailroom.Server.Data.Sql;

/// <summary>
/// Freezing a broadcast's recipient list is one INSERT … SELECT: a million rows through EF change
/// tracking would take minutes and hundreds of MB; this takes seconds and no memory. Each row gets an
/// unguessable 128-bit token from the database's own strong random source, hence one statement per provider.
/// No ON CONFLICT / OR IGNORE: a broadcast is frozen once, in the transaction that flips it from scheduled, and
/// subscriber ids are unique, so nothing can conflict but a token collision, which must fail the freeze (it is
/// retried on the next pass) rather than silently drop a recipient. On PostgreSQL the speculative insertion that
/// ON CONFLICT needs was a third of a 100,000-recipient freeze (1.8 of 5 seconds).
/// </summary>
static class RecipientSql
{
    public static Task<int> FreezeAsync(AppDbContext db, long accountId, long broadcastId, CancellationToken ct) =>
        db.Database.IsNpgsql()
            ? db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
                SELECT account_id, {broadcastId}, id, replace(gen_random_uuid()::text, '-', ''), 0, false, 0
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' ORDER BY id
                """, ct)
            : db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
                SELECT account_id, {broadcastId}, id, lower(hex(randomblob(16))), 0, 0, 0
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' ORDER BY id
                """, ct);

    /// <summary>
    /// PostgreSQL plans the recipient reads from table statistics, and autovacuum analyzes a freshly filled table only
    /// a minute or more later. Until then it guesses that a broadcast has a few dozen recipients and answers each read
    /// of the next 64 with a bitmap scan and sort of every remaining row: ~150 ms per read at the start of a 100,000
    /// broadcast (EXPLAIN ANALYZE; bench/findings.md). ANALYZE samples a fixed ~30,000 rows, so it costs the same for
    /// any table size. SQLite walks the (broadcast_id, id) index without statistics.
    /// </summary>
    public static async Task AnalyzeAsync(AppDbContext db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync("ANALYZE broadcast_recipients", ct);
    }
}
