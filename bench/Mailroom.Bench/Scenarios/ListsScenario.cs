using System.Diagnostics;
using System.Text.Json.Nodes;
using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 3: one account with 1,000,000 subscribers, all tagged, loaded with raw SQL into the migrated schema.
/// p50/p95 of the first, a middle and the last page of GET /v3/subscribers and GET /v3/tags/{id}/subscriptions.
/// Goal: p95 under 50 ms. The baseline is the same reads done by hand-written SQL, with nothing of ours in the way.
/// </summary>
public static class ListsScenario
{
    const int Subscribers = 1_000_000;
    const int PageSize = 50;
    const int Samples = 30;
    const double GoalMs = 50;

    public static async Task RunAsync(BenchContext ctx)
    {
        await foreach (var db in ctx.DatabasesAsync("lists"))
        {
            await using var _ = db;
            var mailroom = ctx.Mailroom(db, $"lists-{db.Provider}");
            var account = await mailroom.SetUpAccountAsync();
            long tagId;
            await using (var server = await mailroom.StartAsync())
                tagId = (await Api.PostAsync(ctx.Http, $"{server.BaseUrl}/v3/tags", new { api_secret = account.ApiSecret, tag = new { name = "Imported" } }))["id"]!.GetValue<long>();

            var loadSubscribers = await BulkLoad.SubscribersAsync(db, account.Id, Subscribers);
            var loadTags = await BulkLoad.TagEveryoneAsync(db, account.Id, tagId);
            await BulkLoad.SettleAsync(db);
            ctx.Report.Note($"Lists ({db.Label}): loaded {Subscribers:#,0} subscribers in {loadSubscribers.TotalSeconds:0.0} s " +
                            $"({Subscribers / loadSubscribers.TotalSeconds:#,0} rows/s) and their tag subscriptions in {loadTags.TotalSeconds:0.0} s, " +
                            "one INSERT … SELECT each" + (db.IsPostgres ? ", then VACUUM ANALYZE (what autovacuum does within a minute)." : "."));

            const int lastPage = (Subscribers + PageSize - 1) / PageSize;
            var pages = new[] { ("first", 1), ("middle", lastPage / 2), ("last", lastPage) };
            var secret = Uri.EscapeDataString(account.ApiSecret);
            await using var connection = await db.OpenAsync();
            await using var server2 = await mailroom.StartAsync();
            foreach (var (label, page) in pages)
            {
                var api = await TimeApiAsync(ctx, $"{server2.BaseUrl}/v3/subscribers?api_secret={secret}&page={page}", "subscribers");
                var sql = await TimeSqlAsync(() => BaselineSql.SubscribersPageAsync(connection, account.Id, page));
                Add(ctx, $"Lists: GET /v3/subscribers, {label} page ({db.Label})", sql, api, server2.PeakRss);
            }
            foreach (var (label, page) in pages)
            {
                var api = await TimeApiAsync(ctx, $"{server2.BaseUrl}/v3/tags/{tagId}/subscriptions?api_secret={secret}&page={page}", "subscriptions");
                var sql = await TimeSqlAsync(() => BaselineSql.TagPageAsync(connection, account.Id, tagId, page));
                Add(ctx, $"Lists: GET /v3/tags/{{id}}/subscriptions, {label} page ({db.Label})", sql, api, server2.PeakRss);
            }
        }
    }

    static void Add(BenchContext ctx, string name, List<double> sql, List<double> api, long peakRss)
    {
        var p95 = Stats.Percentile(api, 95);
        var sqlP95 = Stats.Percentile(sql, 95);
        ctx.Report.Add(new Row(name, $"p95 {Stats.Ms(sqlP95)} (raw SQL)", $"p95 {Stats.Ms(p95)}", $"{p95 / sqlP95:0.0}× the SQL time",
            "p95 < 50 ms", p95 < GoalMs, $"{Stats.Ms(Stats.Median(api))} / p95 {Stats.Ms(p95)}", Proc.Mb(peakRss))
        {
            Key = "lists",
            Miss = $"p95 {Stats.Ms(p95)} against 50 ms: {p95 - GoalMs:0} ms over ({p95 / GoalMs:0.0}× the goal); the same reads in raw SQL take p95 {Stats.Ms(sqlP95)}.",
        });
    }

    /// <summary>Sequential requests (one client, as a UI paging would): 3 warm-ups, then <see cref="Samples"/> timed.</summary>
    static async Task<List<double>> TimeApiAsync(BenchContext ctx, string url, string listKey)
    {
        var times = new List<double>();
        for (var i = 0; i < Samples + 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var body = await Api.GetAsync(ctx.Http, url);
            watch.Stop();
            if (body[listKey] is not JsonArray { Count: PageSize })
                throw new BenchException($"{url.Split('?')[0]} answered {body[listKey]?.AsArray().Count ?? 0} items, expected {PageSize}");
            if (i >= 3) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    static async Task<List<double>> TimeSqlAsync(Func<Task<int>> read)
    {
        var times = new List<double>();
        for (var i = 0; i < Samples + 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var rows = await read();
            watch.Stop();
            if (rows != PageSize) throw new BenchException($"baseline SQL read {rows} rows, expected {PageSize}");
            if (i >= 3) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }
}
