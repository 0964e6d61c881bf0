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
        FreezeRangeAsync(db, accountId, broadcastId, 0, long.MaxValue, ct);

    /// <summary>
    /// The active subscribers with ids in (<paramref name="after"/>, <paramref name="through"/>]: one chunk of a list
    /// frozen in chunks (RecipientFreezer), as of the snapshot the calling transaction imported on PostgreSQL.
    /// </summary>
    public static Task<int> FreezeRangeAsync(AppDbContext db, long accountId, long broadcastId, long after, long through, CancellationToken ct) =>
        db.Database.IsNpgsql()
            ? db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
                SELECT account_id, {broadcastId}, id, replace(gen_random_uuid()::text, '-', ''), 0, false, 0
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' AND id > {after} AND id <= {through} ORDER BY id
                """, ct)
            : db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
                SELECT account_id, {broadcastId}, id, lower(hex(randomblob(16))), 0, 0, 0
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' AND id > {after} AND id <= {through} ORDER BY id
                """, ct);

    /// <summary>
    /// PostgreSQL: the ids that end each chunk of <paramref name="size"/> active subscribers after <paramref name="after"/>
    /// (the last, shorter chunk has none), and how many there are in all.
    /// </summary>
    public static async Task<(List<long> Ends, int Count)> ChunksAsync(AppDbContext db, long accountId, long after, int size, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<ChunkEnd>($"""
            SELECT id AS "Id", n AS "N", count(*) OVER () AS "Total" FROM (
                SELECT id, row_number() OVER (ORDER BY id) AS n
                FROM subscribers WHERE account_id = {accountId} AND state = 'active' AND id > {after}) t
            """).Where(r => r.N % size == 0 || r.N == r.Total).ToListAsync(ct);
        return ([.. rows.Where(r => r.N % size == 0).OrderBy(r => r.Id).Select(r => r.Id)], rows.Count == 0 ? 0 : (int)rows[0].Total);
    }

    sealed record ChunkEnd(long Id, long N, long Total);

    /// <summary>
    /// PostgreSQL: exports the calling (repeatable read) transaction's snapshot, for other transactions to see the
    /// database exactly as it does (pg_export_snapshot; valid while this transaction stays open).
    /// </summary>
    public static async Task<string> ExportSnapshotAsync(AppDbContext db, CancellationToken ct)
    {
        var id = await db.Database.SqlQuery<string>($"SELECT pg_export_snapshot() AS \"Value\"").SingleAsync(ct);
        // It goes into SET TRANSACTION SNAPSHOT as a literal (the command takes no parameters): hex digits and dashes only.
        if (!id.All(c => char.IsAsciiHexDigit(c) || c == '-')) throw new InvalidOperationException($"Unexpected snapshot id {id}");
        return id;
    }

    /// <summary>Must be the first statement of a repeatable read transaction.</summary>
    public static Task ImportSnapshotAsync(AppDbContext db, string snapshot, CancellationToken ct) =>
#pragma warning disable EF1003 // validated in ExportSnapshotAsync; the command takes no parameters
        db.Database.ExecuteSqlRawAsync("SET TRANSACTION SNAPSHOT '" + snapshot + "'", ct);
#pragma warning restore EF1003

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
