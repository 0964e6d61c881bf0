using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 1: GET /v3/account and GET /v3/subscribers/{id} under wrk -t1 -c32, against bare Kestrel answering
/// objects of the same shape. Goal: at least 40% of the bare rate.
/// </summary>
public static class ReadsScenario
{
    const double Goal = 0.40;

    public static async Task RunAsync(BenchContext ctx)
    {
        var seconds = ctx.Options.Seconds;
        LoadResult baseAccount, baseSubscriber;
        await using (var baseline = await ctx.StartBaselineAsync("baseline-reads"))
        {
            baseAccount = await Load.MeasureAsync(baseline, "/v3/account", seconds);
            baseSubscriber = await Load.MeasureAsync(baseline, "/v3/subscribers/1", seconds);
        }

        await foreach (var db in ctx.DatabasesAsync("reads"))
        {
            await using var _ = db;
            var mailroom = ctx.Mailroom(db, $"reads-{db.Provider}");
            var account = await mailroom.SetUpAccountAsync();
            var formId = await mailroom.CreateFormAsync(account.Id);
            var secret = Uri.EscapeDataString(account.ApiSecret);
            long subscriberId;
            string accountPath, subscriberPath;
            LoadResult accountLoad, subscriberLoad;
            await using (var server = await mailroom.StartAsync())
            {
                // A subscriber with a name and a custom field, so the object is the full shape.
                await Api.PostAsync(ctx.Http, $"{server.BaseUrl}/v3/custom_fields", new { api_secret = account.ApiSecret, label = "Company" });
                var subscribed = await Api.PostAsync(ctx.Http, $"{server.BaseUrl}/v3/forms/{formId}/subscribe", new
                {
                    api_secret = account.ApiSecret, email = "ada@example.com", first_name = "Ada",
                    fields = new Dictionary<string, string> { ["company"] = "Analytical Engines" },
                });
                subscriberId = subscribed["subscription"]!["subscriber"]!["id"]!.GetValue<long>();
                accountPath = $"/v3/account?api_secret={secret}";
                subscriberPath = $"/v3/subscribers/{subscriberId}?api_secret={secret}";
                accountLoad = await Load.MeasureAsync(server, accountPath, seconds);
                subscriberLoad = await Load.MeasureAsync(server, subscriberPath, seconds);
            }
            Add(ctx, $"Reads: GET /v3/account ({db.Label})", baseAccount, accountLoad);
            Add(ctx, $"Reads: GET /v3/subscribers/{{id}} ({db.Label})", baseSubscriber, subscriberLoad);

            var sqlAccount = await SqlCounter.PerRequestAsync(mailroom, s => ctx.Http.GetStringAsync(s.BaseUrl + accountPath));
            var sqlSubscriber = await SqlCounter.PerRequestAsync(mailroom, s => ctx.Http.GetStringAsync(s.BaseUrl + subscriberPath));
            ctx.Report.Evidence($"Reads ({db.Label}): server CPU per request {accountLoad.CpuMicrosecondsPerRequest:0} µs (account) and " +
                $"{subscriberLoad.CpuMicrosecondsPerRequest:0} µs (subscriber) against bare Kestrel's {baseAccount.CpuMicrosecondsPerRequest:0} µs " +
                $"and {baseSubscriber.CpuMicrosecondsPerRequest:0} µs; SQL statements per request: {sqlAccount:0.#} (account), {sqlSubscriber:0.#} (subscriber).");
        }
    }

    static void Add(BenchContext ctx, string name, LoadResult baseline, LoadResult mailroom)
    {
        var ratio = mailroom.Wrk.OkPerSecond / baseline.Wrk.OkPerSecond;
        var met = ratio >= Goal && mailroom.Wrk.Problems is null;
        ctx.Report.Add(new Row(name, Stats.Rate(baseline.Wrk.OkPerSecond, "req/s"), Stats.Rate(mailroom.Wrk.OkPerSecond, "req/s"),
            Stats.Percent(ratio), "≥ 40%", met, Load.Latency(mailroom.Wrk), Proc.Mb(mailroom.PeakRss))
        {
            Key = "reads",
            Miss = ratio >= Goal
                ? $"the rate is enough but some requests failed ({mailroom.Wrk.Problems})."
                : $"{Stats.Percent(ratio)} of bare Kestrel against a goal of 40%: {Goal / ratio:0.##}× short " +
                  $"(needs {Stats.Rate(baseline.Wrk.OkPerSecond * Goal, "req/s")}).",
        });
        if (mailroom.Wrk.Problems is { } p) ctx.Report.Note($"{name}: {p}.");
        if (baseline.Wrk.Problems is { } b) ctx.Report.Note($"{name} baseline: {b}.");
    }
}
