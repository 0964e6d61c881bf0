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
                Miss = $"{Stats.Percent(ratio)} of bare Kestrel against a goal of 10%: {Goal / ratio:0.#}× short " +
                       $"(needs {Stats.Rate(baseline.Wrk.OkPerSecond * Goal, "subscribes/s")}).",
            });
            if (load.Wrk.Problems is { } p) ctx.Report.Note($"Subscribe ({db.Label}): {p}.");

            var n = 0;
            var sql = await SqlCounter.PerRequestAsync(mailroom, s => ctx.Http.PostAsync($"{s.BaseUrl}/v3/forms/{formId}/subscribe",
                new StringContent($$"""{"api_key":"{{account.ApiKey}}","email":"count{{++n}}@example.com","first_name":"Bench"}""",
                    System.Text.Encoding.UTF8, "application/json")));
            ctx.Report.Evidence($"Subscribe ({db.Label}): server CPU per request {load.CpuMicrosecondsPerRequest:0} µs against bare Kestrel's " +
                $"{baseline.CpuMicrosecondsPerRequest:0} µs; SQL statements per subscribe (credential check included): {sql:0.#}.");
        }
    }
}
