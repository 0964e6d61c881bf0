using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 5: 10,000 queued webhook events delivered to a local receiver. Goals: 2,000 per second or more, and the
/// API's own latency (GET /v3/account on the same server) not moving while they are delivered.
/// The baseline is the bench itself POSTing the same number of bodies to the same receiver (16 at a time).
/// Skipped, saying so, when the build has no webhook dispatcher yet.
/// </summary>
public static class WebhooksScenario
{
    const int Events = 10_000;
    /// <summary>
    /// Delivered first and not counted, like every other scenario's warm-up: on a server that has never sent a webhook
    /// the JIT compiles the dispatcher's paths while the first few thousand go out (a third of the worker's CPU in a
    /// 10,000 run, perf). A long-running server pays that once; the figure is about what it sustains.
    /// </summary>
    const int Warmup = 1_000;
    const double Goal = 2_000;
    /// <summary>"Does not move", made checkable: p99 while delivering at most twice the idle p99 (a shared 2-core box is noisy).</summary>
    const double LatencyFactor = 2;
    const string Hold = "bench-hold";

    /// <summary>Looks for the dispatcher type in the published assembly's metadata, without loading it.</summary>
    public static bool DispatcherBuilt(string serverDir)
    {
        using var stream = File.OpenRead(Path.Combine(serverDir, "mailroom.dll"));
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.TypeDefinitions.Any(h => reader.GetString(reader.GetTypeDefinition(h).Name) == "WebhookDispatcher");
    }

    public static async Task RunAsync(BenchContext ctx)
    {
        if (!DispatcherBuilt(ctx.Options.ServerDir))
        {
            Console.WriteLine("  webhooks: not built yet (no WebhookDispatcher in this build); skipped");
            ctx.Report.Add(new Row("Webhooks: 10,000 queued events to a local receiver", "—", "not built yet", "—", "≥ 2,000/s", null));
            return;
        }

        await using var receiver = await WebhookReceiver.StartAsync();
        var baseline = await BaselineAsync(ctx, receiver);
        await using var db = BenchDatabase.Sqlite(ctx.WorkDir, "webhooks");
        var mailroom = ctx.Mailroom(db, "webhooks-sqlite");
        var account = await mailroom.SetUpAccountAsync();
        var settings = new Dictionary<string, string> { ["Webhooks__AllowPrivateTargets"] = "true", ["Workers__Enabled"] = "false" };

        // Queue: a tag_add rule, then 10,000 new subscribers tagged through the API with the workers off,
        // so every event waits in the database when the dispatcher starts.
        await using (var server = await mailroom.StartAsync(settings))
        {
            var tagId = (await Api.PostAsync(ctx.Http, $"{server.BaseUrl}/v3/tags", new { api_secret = account.ApiSecret, tag = new { name = "Hooked" } }))["id"]!.GetValue<long>();
            await Api.PostAsync(ctx.Http, $"{server.BaseUrl}/v3/automations/hooks", new
            {
                api_secret = account.ApiSecret, target_url = receiver.Url, @event = new { name = "subscriber.tag_add", tag_id = tagId },
            });
            await Parallel.ForAsync(0, Warmup + Events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                await Api.PostAsync(ctx.Http, $"{server.BaseUrl}/v3/tags/{tagId}/subscribe",
                    new { api_key = account.ApiKey, email = $"hook{i}@example.com" }));
        }

        // The bench leases the queued events itself (as another dispatcher would), so the worker server starts idle:
        // its API latency is measured with the dispatcher running but finding nothing to do, then the lease is
        // handed back and the same server delivers the backlog while the probe keeps measuring.
        await db.ExecAsync("UPDATE outbox_events SET locked_until = @until, locked_by = @by WHERE processed_at IS NULL",
            ("until", DateTime.UtcNow.AddHours(1)), ("by", Hold));
        receiver.Reset();
        settings["Workers__Enabled"] = "true";
        await using var worker = await mailroom.StartAsync(settings);
        var accountUrl = $"{worker.BaseUrl}/v3/account?api_secret={account.ApiSecret}";

        // Warm-up: the events up to the Warmup-th tag_add are handed back first and delivered before anything is measured.
        var warmStarted = Stopwatch.StartNew();
        await db.ExecAsync("UPDATE outbox_events SET locked_until = NULL, locked_by = NULL WHERE locked_by = @by AND id <= " +
                           "(SELECT id FROM outbox_events WHERE event_name = 'tag_add' ORDER BY id LIMIT 1 OFFSET @skip)",
            ("by", Hold), ("skip", Warmup - 1));
        var warm = await receiver.WaitForAsync(Warmup, TimeSpan.FromMinutes(2));
        if (warm.Count < Warmup) throw new BenchException($"webhooks: only {warm.Count} of {Warmup} warm-up deliveries arrived");
        ctx.Report.Note($"Webhooks: {Warmup:#,0} warm-up deliveries first, not counted, on the freshly started worker: " +
                        $"{Warmup / warm.Seconds:#,0}/s ({warmStarted.Elapsed.TotalSeconds:0.0} s from the hand-back to the last).");
        receiver.Reset();
        await ApiLatency.SampleAsync(ctx.Http, accountUrl, 200);
        // A thousand, so the idle p99 is not decided by a handful of samples (it moved 2.6-7.5 ms between runs at 400).
        var idle = await ApiLatency.SampleAsync(ctx.Http, accountUrl, 1_000);
        if (receiver.Count > 0) throw new BenchException("webhooks: deliveries arrived while the backlog was held");

        await db.ExecAsync("UPDATE outbox_events SET locked_until = NULL, locked_by = NULL WHERE locked_by = @by", ("by", Hold));
        using var delivered = new CancellationTokenSource();
        var probe = Task.Run(async () =>
        {
            await receiver.WaitForAsync(1, TimeSpan.FromMinutes(1));
            return await ApiLatency.SampleAsync(ctx.Http, accountUrl, int.MaxValue, delivered.Token);
        });
        var received = await receiver.WaitForAsync(Events, TimeSpan.FromMinutes(5));
        await delivered.CancelAsync();
        var during = await probe;
        var rate = received.Count / received.Seconds;
        var peak = worker.PeakRss;
        if (received.Count < Events) ctx.Report.Note($"Webhooks: only {received.Count:#,0} of {Events:#,0} deliveries arrived within 5 minutes.");
        ctx.Report.Add(new Row("Webhooks: 10,000 queued events to a local receiver (SQLite)",
            Stats.Rate(baseline, "POST/s (bench client)"), Stats.Rate(rate, "deliveries/s"), Stats.Percent(rate / baseline),
            "≥ 2,000/s", rate >= Goal && received.Count >= Events, "—", Proc.Mb(peak))
        {
            Key = "webhooks",
            Miss = $"{rate:#,0} deliveries/s against 2,000/s: {Goal / rate:0.##}× short.",
        });

        var (idleP99, duringP99) = (Stats.Percentile(idle, 99), Stats.Percentile(during, 99));
        ctx.Report.Note($"Webhooks: GET /v3/account sampled one at a time, 5 ms apart, on the worker server: {idle.Count} while idle " +
                        $"(dispatcher running, backlog held), {during.Count} from the first delivery to the last.");
        ctx.Report.Add(new Row("Webhooks: API p50 / p99 (GET /v3/account), idle → while delivering (SQLite)",
            $"{ApiLatency.Format(idle)} idle", $"{ApiLatency.Format(during)} delivering", $"p99 {duringP99 / idleP99:0.0}×",
            $"p99 ≤ {LatencyFactor:0}× idle", during.Count > 0 && duringP99 <= LatencyFactor * idleP99, ApiLatency.Format(during), "—")
        {
            Key = "webhooks",
            Miss = $"p99 {Stats.Ms(duringP99)} while delivering against {Stats.Ms(idleP99)} idle: {duringP99 / idleP99:0.0}× (goal ≤ {LatencyFactor:0}×).",
        });
    }

    static async Task<double> BaselineAsync(BenchContext ctx, WebhookReceiver receiver)
    {
        var body = new string('x', 600);
        receiver.Reset();
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Events, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
        {
            using var response = await ctx.Http.PostAsync(receiver.Url, new StringContent($"{{\"subscriber\":\"{body}\"}}",
                System.Text.Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
        });
        return Events / watch.Elapsed.TotalSeconds;
    }
}
