using System.Data.Common;
using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// The reads a list page needs, written by hand: the count, the page's ids from the index (a far page of the
/// subscriber list read from the other end, as Mailroom does), then the rows. Mailroom's figure over this one is
/// what EF Core, the API and JSON add.
/// </summary>
static class BaselineSql
{
    const int PageSize = 50;

    public static async Task<int> SubscribersPageAsync(DbConnection connection, long accountId, int page)
    {
        var total = await ScalarAsync(connection, "SELECT count(*) FROM subscribers WHERE account_id = @a AND state = 'active'", accountId);
        var skip = (long)(page - 1) * PageSize;
        var reverse = skip * 2 > total;
        var take = reverse ? Math.Min(PageSize, total - skip) : PageSize;
        var offset = reverse ? total - skip - take : skip;
        var order = reverse ? "created_at DESC, id DESC" : "created_at, id";
        var ids = await IdsAsync(connection,
            $"SELECT id FROM subscribers WHERE account_id = @a AND state = 'active' ORDER BY {order} LIMIT {take} OFFSET {offset}", accountId);
        return await CountRowsAsync(connection,
            $"SELECT id, first_name, email_address, state, created_at FROM subscribers WHERE account_id = @a AND id IN ({string.Join(',', ids)})", accountId);
    }

    public static async Task<int> TagPageAsync(DbConnection connection, long accountId, long tagId, int page)
    {
        var where = $"account_id = @a AND subscribable_type = 'tag' AND subscribable_id = {tagId} AND state = 'active'";
        await ScalarAsync(connection, $"SELECT count(*) FROM subscriptions WHERE {where}", accountId);
        var ids = await IdsAsync(connection,
            $"SELECT id FROM subscriptions WHERE {where} ORDER BY created_at, id LIMIT {PageSize} OFFSET {(long)(page - 1) * PageSize}", accountId);
        return await CountRowsAsync(connection, $"""
            SELECT s.id, s.state, s.created_at, s.source, s.referrer, s.subscribable_id, s.subscribable_type,
                   b.id, b.first_name, b.email_address, b.state, b.created_at
            FROM subscriptions s JOIN subscribers b ON b.id = s.subscriber_id
            WHERE s.account_id = @a AND s.id IN ({string.Join(',', ids)})
            """, accountId);
    }

    static async Task<long> ScalarAsync(DbConnection connection, string sql, long accountId)
    {
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    static async Task<List<long>> IdsAsync(DbConnection connection, string sql, long accountId)
    {
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId));
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
