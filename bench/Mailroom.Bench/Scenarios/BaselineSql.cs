using System.Data.Common;
using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// The reads a list page needs, written by hand: the per-day counts the triggers keep (the total, and the day the
/// page starts on), the page's ids from the index starting at that day, then the rows by id. Mailroom's figure over
/// this one is what EF Core, the API and JSON add.
/// </summary>
static class BaselineSql
{
    const int PageSize = 50;

    public static async Task<int> SubscribersPageAsync(DbConnection connection, long accountId, int page)
    {
        var (from, offset) = await LocateAsync(connection,
            "SELECT day, SUM(count) FROM subscriber_counts WHERE account_id = @a AND state = 'active' GROUP BY day ORDER BY day",
            accountId, (long)(page - 1) * PageSize);
        var ids = await IdsAsync(connection, $"""
            SELECT id FROM subscribers WHERE account_id = @a AND state = 'active' AND created_at >= @from
            ORDER BY created_at, id LIMIT {PageSize} OFFSET {offset}
            """, accountId, from);
        return await CountRowsAsync(connection,
            $"SELECT id, account_id, first_name, email_address, state, created_at FROM subscribers WHERE id IN ({string.Join(',', ids)})", accountId);
    }

    public static async Task<int> TagPageAsync(DbConnection connection, long accountId, long tagId, int page)
    {
        var where = $"account_id = @a AND subscribable_type = 'tag' AND subscribable_id = {tagId} AND state = 'active'";
        var (from, offset) = await LocateAsync(connection,
            $"SELECT day, SUM(count) FROM subscription_counts WHERE {where} GROUP BY day ORDER BY day", accountId, (long)(page - 1) * PageSize);
        var ids = await IdsAsync(connection,
            $"SELECT id FROM subscriptions WHERE {where} AND created_at >= @from ORDER BY created_at, id LIMIT {PageSize} OFFSET {offset}",
            accountId, from);
        return await CountRowsAsync(connection, $"""
            SELECT s.id, s.state, s.created_at, s.source, s.referrer, s.subscribable_id, s.subscribable_type,
                   b.id, b.first_name, b.email_address, b.state, b.created_at
            FROM subscriptions s JOIN subscribers b ON b.id = s.subscriber_id
            WHERE s.id IN ({string.Join(',', ids)})
            """, accountId);
    }

    /// <summary>The day holding row <paramref name="skip"/> and how many of that day's rows come before it.</summary>
    static async Task<(DateTime From, long Offset)> LocateAsync(DbConnection connection, string sql, long accountId, long skip)
    {
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId));
        await using var reader = await command.ExecuteReaderAsync();
        long before = 0;
        while (await reader.ReadAsync())
        {
            var count = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture); // numeric on PostgreSQL
            if (before + count > skip) return (DateTime.UnixEpoch.AddDays(reader.GetInt64(0)), skip - before);
            before += count;
        }
        throw new BenchException($"row {skip} is past the end of the list ({before} rows)");
    }

    static async Task<List<long>> IdsAsync(DbConnection connection, string sql, long accountId, DateTime from)
    {
        // SQLite compares created_at as the text EF Core writes; PostgreSQL as timestamptz.
        object bound = connection.GetType().Name.StartsWith("Npgsql", StringComparison.Ordinal)
            ? DateTime.SpecifyKind(from, DateTimeKind.Utc) : from.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId), ("from", bound));
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    static async Task<int> CountRowsAsync(DbConnection connection, string sql, long accountId)
    {
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId));
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++) _ = reader.GetValue(i);
            rows++;
        }
        return rows;
    }
}
