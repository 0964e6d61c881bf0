using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 2: POST /v3/forms/{id}/subscribe with a new address per request (wrk + subscribe.lua) to a form
/// without double opt-in, against bare Kestrel parsing the same JSON. Goal on SQLite: at least 10% of the bare
/// rate with every accepted subscribe committed; PostgreSQL is reported alongside.
/// </summary>
public static class SubscribeScenario
{
    const double Goal = 0.10;

    public static async Task RunAsync(BenchContext ctx)
    {
        var seconds = ctx.Options.Seconds;
        var script = Path.Combine(AppContext.BaseDirectory, "subscribe.lua");
        LoadResult baseline;
        await using (var server = await ctx.StartBaselineAsync("baseline-subscribe"))
            baseline = await Load.MeasureAsync(server, "/", seconds, script,
                new Dictionary<string, string> { ["BENCH_PATH"] = "/v3/forms/1/subscribe", ["BENCH_KEY"] = "bench" });

        await foreach (var db in ctx.DatabasesAsync("subscribe"))
        {
            await using var _ = db;
            var mailroom = ctx.Mailroom(db, $"subscribe-{db.Provider}");
            var account = await mailroom.SetUpAccountAsync();
            var formId = await mailroom.CreateFormAsync(account.Id);
            var env = new Dictionary<string, string> { ["BENCH_PATH"] = $"/v3/forms/{formId}/subscribe", ["BENCH_KEY"] = account.ApiKey };
            LoadResult load;
            await using (var server = await mailroom.StartAsync())
                load = await Load.MeasureAsync(server, "/", seconds, script, env);

            // Durability: after the server has stopped, every subscribe answered 200 must be in the database.
            // A few more may be there: requests still in flight when wrk stopped counting were committed too.
            var accepted = load.Warmup.Ok + load.Wrk.Ok;
            var committed = await db.ScalarAsync<long>("SELECT count(*) FROM subscribers WHERE account_id = @a", ("a", account.Id));
            var durable = committed >= accepted;
            ctx.Report.Note($"Subscribe ({db.Label}): {accepted:#,0} subscribes answered 200, {committed:#,0} subscribers in the database " +
                            (durable ? "after the server stopped (none lost)." : "— SOME ACCEPTED SUBSCRIBES ARE MISSING."));

            var ratio = load.Wrk.OkPerSecond / baseline.Wrk.OkPerSecond;
            var goal = db.IsPostgres ? (bool?)null : ratio >= Goal && durable && load.Wrk.Problems is null;
            ctx.Report.Add(new Row($"Subscribe: POST /v3/forms/{{id}}/subscribe ({db.Label})",
                Stats.Rate(baseline.Wrk.OkPerSecond, "req/s"), Stats.Rate(load.Wrk.OkPerSecond, "req/s"), Stats.Percent(ratio),
                db.IsPostgres ? "reported" : "≥ 10%", goal, Load.Latency(load.Wrk), Proc.Mb(load.PeakRss))
            {
                Key = "subscribe",
                Miss = ratio >= Goal
                    ? $"the rate is enough but not every subscribe succeeded and was kept ({load.Wrk.Problems ?? "see the notes"})."
                    : $"{Stats.Percent(ratio)} of bare Kestrel against a goal of 10%: {Goal / ratio:0.##}× short " +
                      $"(needs {Stats.Rate(baseline.Wrk.OkPerSecond * Goal, "subscribes/s")}).",
            });
            if (load.Wrk.Problems is { } p) ctx.Report.Note($"Subscribe ({db.Label}): {p}.");

            var ceiling = await DurableCommitCeilingAsync(db, account.Id, formId);
            ctx.Report.Evidence($"Subscribe ({db.Label}): the database alone, committing what one subscribe writes (subscriber, subscription, " +
                $"two outbox events) one transaction at a time from {(db.IsPostgres ? "32 connections" : "one connection, as SQLite has one writer")}: " +
                $"{ceiling:#,0} commits/s; Mailroom reached {load.Wrk.OkPerSecond / ceiling * 100:0}% of that.");

            var n = 0;
            var sql = await SqlCounter.PerRequestAsync(mailroom, s => ctx.Http.PostAsync($"{s.BaseUrl}/v3/forms/{formId}/subscribe",
                new StringContent($$"""{"api_key":"{{account.ApiKey}}","email":"count{{++n}}@example.com","first_name":"Bench"}""",
                    System.Text.Encoding.UTF8, "application/json")));
            ctx.Report.Evidence($"Subscribe ({db.Label}): server CPU per request {load.CpuMicrosecondsPerRequest:0} µs against bare Kestrel's " +
                $"{baseline.CpuMicrosecondsPerRequest:0} µs; SQL statements per subscribe (credential check included): {sql:0.#}.");
        }
    }

    /// <summary>
    /// The write ceiling under the same durability (SQLite's default synchronous=FULL in WAL, PostgreSQL's
    /// synchronous_commit=on): the rows of one subscribe committed in one transaction, as fast as the database takes them.
    /// </summary>
    static async Task<double> DurableCommitCeilingAsync(BenchDatabase db, long accountId, long formId)
    {
        var writers = db.IsPostgres ? 32 : 1;
        var until = DateTime.UtcNow.AddSeconds(5);
        var now = DateTime.UtcNow;
        var nowValue = db.IsPostgres ? (object)now : now.ToString("yyyy-MM-dd HH:mm:ss");
        var commits = 0;
        await Parallel.ForAsync(0, writers, async (w, _) =>
        {
            await using var connection = await db.OpenAsync();
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                await using var tx = await connection.BeginTransactionAsync();
                var email = $"ceiling{w}-{i}@example.com";
                await using var insert = BenchDatabase.Command(connection, """
                    INSERT INTO subscribers (account_id, email_address, normalized_email, first_name, state, created_at, updated_at)
                    VALUES (@a, @e, @e, 'Bench', 'active', @t, @t) RETURNING id
                    """, ("a", accountId), ("e", email), ("t", nowValue));
                insert.Transaction = tx;
                var id = Convert.ToInt64(await insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                await using var rest = BenchDatabase.Command(connection, """
                    INSERT INTO subscriptions (account_id, subscriber_id, subscribable_type, subscribable_id, state, created_at, updated_at)
                    VALUES (@a, @s, 'form', @f, 'active', @t, @t);
                    INSERT INTO outbox_events (account_id, event_name, subscriber_id, occurred_at) VALUES (@a, 'subscriber_activate', @s, @t);
                    INSERT INTO outbox_events (account_id, event_name, subscriber_id, match_value, occurred_at) VALUES (@a, 'form_subscribe', @s, @m, @t);
                    """, ("a", accountId), ("s", id), ("f", formId), ("m", formId.ToString()), ("t", nowValue));
                rest.Transaction = tx;
                await rest.ExecuteNonQueryAsync();
                await tx.CommitAsync();
                Interlocked.Increment(ref commits);
            }
        });
        return commits / 5.0;
    }
}
