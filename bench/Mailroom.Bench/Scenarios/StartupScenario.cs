using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 6: process start to the first 200 from /healthz, and resident memory after 3 idle seconds.
/// Median of three starts each: bare Kestrel, Mailroom on an existing database, and Mailroom's first run
/// (creates the SQLite file and applies every migration).
/// </summary>
public static class StartupScenario
{
    const int Starts = 3;

    public static async Task RunAsync(BenchContext ctx)
    {
        var baseline = await MeasureAsync(i => ctx.StartBaselineAsync($"baseline-startup-{i}"));

        await using var db = BenchDatabase.Sqlite(ctx.WorkDir, "startup");
        var mailroom = ctx.Mailroom(db, "startup-sqlite");
        await mailroom.SetUpAccountAsync();
        var existing = await MeasureAsync(_ => mailroom.StartAsync());
        Add(ctx, "Start-up: existing SQLite database", baseline, existing);

        var firstRun = await MeasureAsync(async i =>
        {
            var fresh = BenchDatabase.Sqlite(ctx.WorkDir, $"startup-first-{i}");
            return await ctx.Mailroom(fresh, $"startup-first-{i}").StartAsync();
        });
        Add(ctx, "Start-up: first run (creates and migrates the SQLite database)", baseline, firstRun);
    }

    sealed record Start(double Seconds, long IdleRss, long PeakRss);

    static async Task<Start> MeasureAsync(Func<int, Task<ServerProcess>> start)
    {
        var runs = new List<Start>();
        for (var i = 0; i < Starts; i++)
        {
            // StartAsync returns once /healthz has answered 200; the clock runs from just before Process.Start.
            await using var server = await start(i);
            var seconds = server.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(3));
            runs.Add(new Start(seconds, server.Rss, server.PeakRss));
        }
        return runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
    }

    static void Add(BenchContext ctx, string name, Start baseline, Start mailroom) =>
        ctx.Report.Add(new Row(name,
            $"{baseline.Seconds:0.00} s, idle {Proc.Mb(baseline.IdleRss)}",
            $"{mailroom.Seconds:0.00} s, idle {Proc.Mb(mailroom.IdleRss)}",
            $"{mailroom.Seconds / baseline.Seconds:0.0}× the time, {mailroom.IdleRss / (double)baseline.IdleRss:0.0}× the memory",
            "reported", null, "—", Proc.Mb(mailroom.PeakRss)));
}
