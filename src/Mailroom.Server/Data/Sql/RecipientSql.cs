using System.Runtime.CompilerServices;
using Mailroom.Server.Domain.Broadcasts;

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
    public static Task<int> FreezeAsync(AppDbContext db, long accountId, long broadcastId, BroadcastFilter? filter, CancellationToken ct) =>
        FreezeRangeAsync(db, accountId, broadcastId, filter, 0, long.MaxValue, ct);

    /// <summary>
    /// The active subscribers matching <paramref name="filter"/> (null: all) with ids in (<paramref name="after"/>,
    /// <paramref name="through"/>]: one chunk of a list frozen in chunks (RecipientFreezer), as of the snapshot the
    /// calling transaction imported on PostgreSQL.
    /// </summary>
    public static Task<int> FreezeRangeAsync(AppDbContext db, long accountId, long broadcastId, BroadcastFilter? filter, long after, long through, CancellationToken ct)
    {
        var token = db.Database.IsNpgsql() ? "replace(gen_random_uuid()::text, '-', '')" : "lower(hex(randomblob(16)))";
        var no = db.Database.IsNpgsql() ? "false" : "0";
        var (where, args) = Matching(filter, [accountId, broadcastId, after, through]);
        return db.Database.ExecuteSqlAsync(FormattableStringFactory.Create($$"""
            INSERT INTO broadcast_recipients (account_id, broadcast_id, subscriber_id, token, attempts, bounced, clicks)
            SELECT account_id, {1}, id, {{token}}, 0, {{no}}, 0
            FROM subscribers WHERE account_id = {0} AND state = 'active' AND id > {2} AND id <= {3}{{where}} ORDER BY id
            """, args), ct);
    }

    /// <summary>How many active subscribers of the account <paramref name="filter"/> matches (null: all).</summary>
    public static async Task<int> CountAsync(AppDbContext db, long accountId, BroadcastFilter? filter, CancellationToken ct)
    {
        var (where, args) = Matching(filter, [accountId]);
        return await db.Database.SqlQuery<int>(FormattableStringFactory.Create(
            $"SELECT CAST(count(*) AS integer) AS \"Value\" FROM subscribers WHERE account_id = {{0}} AND state = 'active'{where}", args)).SingleAsync(ct);
    }

    /// <summary>
    /// PostgreSQL: the ids that end each chunk of <paramref name="size"/> matching active subscribers after
    /// <paramref name="after"/> (the last, shorter chunk has none), and how many there are in all.
    /// </summary>
    public static async Task<(List<long> Ends, int Count)> ChunksAsync(AppDbContext db, long accountId, BroadcastFilter? filter, long after, int size, CancellationToken ct)
    {
        var (where, args) = Matching(filter, [accountId, after]);
        var rows = await db.Database.SqlQuery<ChunkEnd>(FormattableStringFactory.Create($$"""
            SELECT id AS "Id", n AS "N", count(*) OVER () AS "Total" FROM (
                SELECT id, row_number() OVER (ORDER BY id) AS n
                FROM subscribers WHERE account_id = {0} AND state = 'active' AND id > {1}{{where}}) t
            """, args)).Where(r => r.N % size == 0 || r.N == r.Total).ToListAsync(ct);
        return ([.. rows.Where(r => r.N % size == 0).OrderBy(r => r.Id).Select(r => r.Id)], rows.Count == 0 ? 0 : (int)rows[0].Total);
    }

    /// <summary>
    /// The filter as a condition on <c>subscribers</c>, its ids as parameters numbered after <paramref name="args"/>:
    /// a tag matches while its tagging is not cancelled, as the tag lists count it. Segments match nobody yet
    /// (<see cref="BroadcastFilter.MatchesNobody"/>).
    /// </summary>
    static (string Where, object[] Args) Matching(BroadcastFilter? filter, object[] args)
    {
        if (filter is null) return ("", args);
        if (filter.MatchesNobody) return (" AND 1 = 0", args);
        if (filter.TagIds.Count == 0) return ("", args);
        var all = args.ToList();
        string Param(long id)
        {
            all.Add(id);
            return $"{{{all.Count - 1}}}";
        }
        const string tagged = "SELECT 1 FROM subscriptions t WHERE t.subscriber_id = subscribers.id AND t.subscribable_type = 'tag' AND t.state <> 'cancelled' AND t.subscribable_id";
        var where = filter.Group switch
        {
            BroadcastFilter.All => string.Concat(filter.TagIds.Select(id => $" AND EXISTS ({tagged} = {Param(id)})")),
            BroadcastFilter.Any => $" AND EXISTS ({tagged} IN ({string.Join(", ", filter.TagIds.Select(Param))}))",
            _ => $" AND NOT EXISTS ({tagged} IN ({string.Join(", ", filter.TagIds.Select(Param))}))",
        };
        return (where, [.. all]);
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
