using System.Diagnostics;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// Fills the real (migrated) schema with raw SQL, not through the API: a million HTTP subscribes would
/// measure the subscribe path, not the lists. One transaction each, as an import would do it.
/// </summary>
public static class BulkLoad
{
    /// <summary>
    /// <paramref name="count"/> active subscribers with first names, created one second apart ending an hour ago,
    /// so the created_at order is the id order. Returns the time taken.
    /// </summary>
    public static async Task<TimeSpan> SubscribersAsync(BenchDatabase db, long accountId, int count)
    {
        var start = DateTime.UtcNow.AddHours(-1).AddSeconds(-count);
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (db.IsPostgres)
            await BenchDatabase.ExecAsync(connection, """
                INSERT INTO subscribers (account_id, email_address, normalized_email, first_name, state, created_at, updated_at)
                SELECT @account, 'reader' || i || '@example.com', 'reader' || i || '@example.com', 'Reader ' || i, 'active',
                       @start + i * interval '1 second', @start + i * interval '1 second'
                FROM generate_series(1, @count) AS i
                """, ("account", accountId), ("start", start), ("count", count));
        else
            await BenchDatabase.ExecAsync(connection, """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
                INSERT INTO subscribers (account_id, email_address, normalized_email, first_name, state, created_at, updated_at)
                SELECT @account, 'reader' || i || '@example.com', 'reader' || i || '@example.com', 'Reader ' || i, 'active',
                       datetime(@start, '+' || i || ' seconds'), datetime(@start, '+' || i || ' seconds')
                FROM n
                """, ("account", accountId), ("start", start.ToString("yyyy-MM-dd HH:mm:ss")), ("count", count));
        await tx.CommitAsync();
        return watch.Elapsed;
    }

    /// <summary>Subscribes every subscriber of the account to the tag (subscription time = subscriber creation time).</summary>
    public static async Task<TimeSpan> TagEveryoneAsync(BenchDatabase db, long accountId, long tagId)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await BenchDatabase.ExecAsync(connection, """
            INSERT INTO subscriptions (account_id, subscriber_id, subscribable_type, subscribable_id, state, created_at, updated_at)
            SELECT account_id, id, 'tag', @tag, 'active', created_at, updated_at FROM subscribers WHERE account_id = @account
            """, ("account", accountId), ("tag", tagId));
        await tx.CommitAsync();
        return watch.Elapsed;
    }

    /// <summary>
    /// PostgreSQL's autovacuum would analyse the fresh rows and set the visibility map within a minute; doing it
    /// now measures the steady state instead of the minute after an import. SQLite has no such daemon and Mailroom
    /// runs no ANALYZE, so SQLite is measured as the import left it.
    /// </summary>
    public static async Task SettleAsync(BenchDatabase db)
    {
        if (db.IsPostgres) await db.ExecAsync("VACUUM ANALYZE");
    }
}
