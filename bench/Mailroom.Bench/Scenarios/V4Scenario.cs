using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 8, Kit's API v4.
/// Lists: one account with 1,000,000 subscribers loaded with raw SQL; p50/p95 of the first, a middle and the last page of
/// GET /v4/subscribers (per_page=500, cursor pages reached by Kit's cursors). Goal p95 &lt; 20 ms. Baseline: the same
/// keyset read in hand-written SQL.
/// Bulk: POST /v4/bulk/subscribers with 100,000 new subscribers (queued, applied in the background), timed from the
/// request to the job's completion. Goal ≥ 50,000 rows/s on SQLite. Baseline: the same rows written by one multi-row
/// INSERT per 1,000 in one transaction, by hand.
/// </summary>
public static class V4Scenario
{
    const int Subscribers = 1_000_000;
    const int PerPage = 500;
    const int Samples = 30;
    const double ListGoalMs = 20;
    const int BulkRows = 100_000;
    const double BulkGoalRowsPerSecond = 50_000;

    public static async Task RunAsync(BenchContext ctx)
    {
        await foreach (var db in ctx.DatabasesAsync("v4"))
        {
            await using var _ = db;
            var mailroom = ctx.Mailroom(db, $"v4-{db.Provider}");
            var account = await mailroom.SetUpAccountAsync();
            var key = JsonNode.Parse(await mailroom.CliAsync("keys", "create", "--account", account.Id.ToString(), "--json"))!["api_key"]!.GetValue<string>();
            await ListsAsync(ctx, db, mailroom, account, key);
            await BulkAsync(ctx, db, mailroom, account);
        }
    }

    static async Task ListsAsync(BenchContext ctx, BenchDatabase db, MailroomServer mailroom, BenchAccount account, string key)
    {
        var load = await BulkLoad.SubscribersAsync(db, account.Id, Subscribers);
        await BulkLoad.SettleAsync(db);
        ctx.Report.Note($"v4 lists ({db.Label}): loaded {Subscribers:#,0} subscribers in {load.TotalSeconds:0.0} s.");
        await using var connection = await db.OpenAsync();
        var (minId, maxId) = await IdRangeAsync(connection, account.Id);
        await using var server = await mailroom.StartAsync();
        var first = await GetAsync(ctx, $"{server.BaseUrl}/v4/subscribers?per_page={PerPage}", key);
        var ids = first["subscribers"]!.AsArray().Select(s => s!["id"]!.GetValue<long>()).ToList();
        var descending = ids[0] > ids[^1];
        // The middle and last pages are reached with Kit's own cursor format (base64 of [id]), as a client holding the
        // previous page's end_cursor would.
        var middleCursor = Cursor(descending ? maxId - Subscribers / 2 : minId + Subscribers / 2);
        var lastCursor = Cursor(descending ? minId + PerPage : maxId - PerPage);
        var pages = new[] { ("first", ""), ("middle", $"&after={middleCursor}"), ("last", $"&after={lastCursor}") };
        foreach (var (label, query) in pages)
        {
            var api = await TimeAsync(async () =>
                (await GetAsync(ctx, $"{server.BaseUrl}/v4/subscribers?per_page={PerPage}{query}", key))["subscribers"]!.AsArray().Count);
            var boundary = label switch { "first" => descending ? maxId + 1 : minId - 1, "middle" => descending ? maxId - Subscribers / 2 : minId + Subscribers / 2, _ => descending ? minId + PerPage : maxId - PerPage };
            var sql = await TimeAsync(() => SqlPageAsync(connection, account.Id, boundary, descending));
            var p95 = Stats.Percentile(api, 95);
            var sqlP95 = Stats.Percentile(sql, 95);
            ctx.Report.Add(new Row($"v4: GET /v4/subscribers, {label} page of 500 ({db.Label})", $"p95 {Stats.Ms(sqlP95)} (raw SQL)", $"p95 {Stats.Ms(p95)}",
                $"{p95 / sqlP95:0.0}× the SQL time", "p95 < 20 ms", p95 < ListGoalMs, $"{Stats.Ms(Stats.Median(api))} / p95 {Stats.Ms(p95)}", Proc.Mb(server.PeakRss))
            {
                Key = "v4",
                Miss = $"p95 {Stats.Ms(p95)} against 20 ms: {p95 - ListGoalMs:0.0} ms over; the same read in raw SQL takes p95 {Stats.Ms(sqlP95)}.",
            });
        }
    }

    static async Task BulkAsync(BenchContext ctx, BenchDatabase db, MailroomServer mailroom, BenchAccount account)
    {
        var app = JsonNode.Parse(await mailroom.CliAsync("apps", "create", "--name", "Bench", "--redirect-uri", "http://127.0.0.1:9/cb", "--json"))!;
        var token = JsonNode.Parse(await mailroom.CliAsync("apps", "token", "--client-id", app["client_id"]!.GetValue<string>(),
            "--account", account.Id.ToString()))!["access_token"]!.GetValue<string>();
        await using var connection = await db.OpenAsync();
        await using var server = await mailroom.StartAsync();
        // A first, small queued job warms the process (JIT, token validation, the worker's queries), as every other
        // scenario warms up before it measures: the figure is the rate of an import, not of a cold start.
        await BulkCreateAsync(ctx, server, connection, account, token, Items("warm", BulkOperationsSyncLimit + 1));
        var before = await CountAsync(connection, "SELECT COUNT(*) FROM subscribers WHERE account_id = @a", account.Id);
        var elapsed = await BulkCreateAsync(ctx, server, connection, account, token, Items("bulk", BulkRows));
        var added = await CountAsync(connection, "SELECT COUNT(*) FROM subscribers WHERE account_id = @a", account.Id) - before;
        if (added != BulkRows) throw new BenchException($"the bulk job added {added} subscribers, expected {BulkRows}");
        var rate = BulkRows / elapsed.TotalSeconds;

        var baseline = await BaselineInsertAsync(db, account.Id);
        var baselineRate = BulkRows / baseline.TotalSeconds;
        ctx.Report.Add(new Row($"v4: POST /v4/bulk/subscribers, {BulkRows:#,0} new ({db.Label})", $"{baselineRate:#,0} rows/s (raw INSERTs)",
            $"{rate:#,0} rows/s", $"{rate / baselineRate:0.00}× the raw rate", "≥ 50,000 rows/s on SQLite",
            db.IsPostgres ? null : rate >= BulkGoalRowsPerSecond, $"{elapsed.TotalSeconds:0.00} s", Proc.Mb(server.PeakRss))
        {
            Key = "v4",
            Miss = $"{rate:#,0} rows/s against 50,000: {BulkGoalRowsPerSecond / rate:0.0}× short; raw INSERTs reach {baselineRate:#,0} rows/s.",
        });
    }

    /// <summary>Kit's bulk operations apply up to this many items while the caller waits; more are queued.</summary>
    const int BulkOperationsSyncLimit = 100;

    static JsonObject Items(string prefix, int count) => new()
    {
        ["subscribers"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject
        {
            ["email_address"] = $"{prefix}{i}@example.com", ["first_name"] = $"Bulk {i}", ["state"] = "active",
        })]),
    };

    /// <summary>POSTs a queued bulk create and waits for its job to complete; the time from the request to then.</summary>
    static async Task<TimeSpan> BulkCreateAsync(BenchContext ctx, ServerProcess server, System.Data.Common.DbConnection connection,
        BenchAccount account, string token, JsonObject body)
    {
        // Serialized before the clock starts: the client's own JSON writing is not the server's time.
        var json = body.ToJsonString();
        var watch = Stopwatch.StartNew();
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"{server.BaseUrl}/v4/bulk/subscribers")
               { Content = new StringContent(json, Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await ctx.Http.SendAsync(request);
            if ((int)response.StatusCode != 202) throw new BenchException($"bulk create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        while (await CountAsync(connection, "SELECT COUNT(*) FROM bulk_jobs WHERE account_id = @a AND status <> 'completed'", account.Id) > 0)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(10)) throw new BenchException("the bulk job did not complete in 10 minutes");
            await Task.Delay(20);
        }
        return watch.Elapsed;
    }

    /// <summary>The same 100,000 subscribers (other addresses) by hand: multi-row INSERTs of 1,000 in one transaction.</summary>
    static async Task<TimeSpan> BaselineInsertAsync(BenchDatabase db, long accountId)
    {
        await using var connection = await db.OpenAsync();
        var watch = Stopwatch.StartNew();
        await using var tx = await connection.BeginTransactionAsync();
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss");
        for (var start = 0; start < BulkRows; start += 1000)
        {
            var sql = new StringBuilder("INSERT INTO subscribers (account_id, email_address, normalized_email, first_name, state, created_at, updated_at) VALUES ");
            for (var i = start; i < start + 1000; i++)
            {
                if (i > start) sql.Append(',');
                var ts = db.IsPostgres ? $"TIMESTAMPTZ '{now}+00'" : $"'{now}'";
                sql.Append($"({accountId}, 'raw{i}@example.com', 'raw{i}@example.com', 'Raw {i}', 'active', {ts}, {ts})");
            }
            await BenchDatabase.ExecAsync(connection, sql.ToString());
        }
        await tx.CommitAsync();
        return watch.Elapsed;
    }

    static string Cursor(long id) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"[{id}]"));

    static async Task<JsonNode> GetAsync(BenchContext ctx, string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Kit-Api-Key", key);
        using var response = await ctx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new BenchException($"GET {url.Split('?')[0]} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Sequential requests: 3 warm-ups, then <see cref="Samples"/> timed; each must return a full page.</summary>
    static async Task<List<double>> TimeAsync(Func<Task<int>> read)
    {
        var times = new List<double>();
        for (var i = 0; i < Samples + 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var rows = await read();
            watch.Stop();
            if (rows != PerPage) throw new BenchException($"a page held {rows} rows, expected {PerPage}");
            if (i >= 3) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    static async Task<int> SqlPageAsync(System.Data.Common.DbConnection connection, long accountId, long boundary, bool descending)
    {
        var sql = $"""
            SELECT id, first_name, email_address, state, created_at FROM subscribers
            WHERE account_id = @a AND state = 'active' AND id {(descending ? "<" : ">")} {boundary}
            ORDER BY id {(descending ? "DESC" : "ASC")} LIMIT {PerPage}
            """;
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId));
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync()) rows++;
        return rows;
    }

    static async Task<(long Min, long Max)> IdRangeAsync(System.Data.Common.DbConnection connection, long accountId)
    {
        await using var command = BenchDatabase.Command(connection, "SELECT MIN(id), MAX(id) FROM subscribers WHERE account_id = @a", ("a", accountId));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    static async Task<long> CountAsync(System.Data.Common.DbConnection connection, string sql, long accountId)
    {
        await using var command = BenchDatabase.Command(connection, sql, ("a", accountId));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
