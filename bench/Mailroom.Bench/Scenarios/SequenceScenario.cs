using System.Data.Common;
using System.Diagnostics;
using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench.Scenarios;

/// <summary>
/// Scenario 7: sequences (issue 17, "Speed").
/// (a) A send hour at which 100,000 subscribers of one sequence fall due, sent by the server's own scheduler and
/// sequence sender to smtp-sink, against smtp-source → smtp-sink in the same run (the broadcast scenario's baseline).
/// Goals: at least a third of smtp-source's rate, peak RSS under 300 MB.
/// (b) 1,000,000 course subscriptions with nothing due: the idle server's CPU (goal under 1% of one core), against the
/// same server on the same database before the sequence data was loaded; and the scheduler's batch query with 500 of
/// them due, run directly on the database (goal p95 under 5 ms).
/// Everything is loaded with raw SQL into the migrated schema, as the broadcast and lists scenarios load theirs.
/// </summary>
public static class SequenceScenario
{
    const double RateGoal = 1 / 3.0;
    const long MemoryGoal = 300L * 1024 * 1024;
    const int SmtpConnections = 16;
    const int Recipients = 100_000;
    const int WarmUpRecipients = 20_000;
    const int IdleSubscriptions = 1_000_000;
    const int DueInIdle = 500;
    const double IdleGoalPercent = 1;
    const double QueryGoalMs = 5;
    const int QuerySamples = 200;
    static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(40);
    static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(30);

    // The scheduler's queries, as SequenceScheduler issues them (EF Core's SQL, aliases left out).
    const string ProbeSql = "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE next_send_at <= @now)";
    const string SqliteBatchSql = "SELECT id FROM subscriptions WHERE next_send_at <= @now ORDER BY next_send_at LIMIT 500";
    const string PostgresBatchSql = "SELECT id FROM subscriptions WHERE next_send_at <= @now ORDER BY next_send_at LIMIT 500 FOR UPDATE SKIP LOCKED";

    public static async Task RunAsync(BenchContext ctx)
    {
        // MAILROOM_BENCH_SEQUENCES=send or =idle runs one half, for profiling one of them again without the other.
        var part = Environment.GetEnvironmentVariable("MAILROOM_BENCH_SEQUENCES");
        if (part != "idle")
        {
            await using var sink = await SmtpSink.StartAsync();
            var baseline = await BroadcastScenario.SmtpSourceAsync(sink, Recipients);
            await foreach (var db in ctx.DatabasesAsync("sequences"))
            {
                await using var _ = db;
                await SendHourAsync(ctx, sink, db, baseline);
            }
        }
        if (part == "send") return;
        await foreach (var db in ctx.DatabasesAsync("seqidle"))
        {
            await using var _ = db;
            await IdleAsync(ctx, db);
        }
    }

    // ---- (a) 100,000 due at one send hour ----

    static async Task SendHourAsync(BenchContext ctx, SmtpSink sink, BenchDatabase db, double baselineRate)
    {
        var name = $"{Recipients:#,0} subscribers due at one send hour ({db.Label})";
        var mailroom = ctx.Mailroom(db, $"sequences-{db.Provider}");
        var account = await mailroom.SetUpAccountAsync();
        await BulkLoad.SubscribersAsync(db, account.Id, Recipients);
        var warmUp = await mailroom.CreateAccountAsync("Warm-up", "warm-up@example.com");
        await BulkLoad.SubscribersAsync(db, warmUp.Id, WarmUpRecipients);

        var hour = Hour(DateTime.UtcNow);
        var sequence = await CreateSequenceAsync(db, account.Id, hour.Hour, firstUnit: "hours");
        var warmSequence = await CreateSequenceAsync(db, warmUp.Id, hour.Hour);
        // The warm-up's subscribers are due as the server starts (their send hour is this hour); the measured ones wait in
        // the index a month ahead until the warm-up is over, then their send hour is moved to a moment from now.
        await EnrolAsync(db, warmUp.Id, warmSequence, hour.AddDays(-1), hour);
        await EnrolAsync(db, account.Id, sequence, hour.AddDays(-1), hour.AddDays(30));
        await BulkLoad.SettleAsync(db);

        await using var server = await mailroom.StartAsync(new Dictionary<string, string>
        {
            ["Smtp__Host"] = "127.0.0.1", ["Smtp__Port"] = sink.Port.ToString(), ["Smtp__MaxConnections"] = SmtpConnections.ToString(),
        });
        var healthyAt = DateTime.UtcNow;
        // A warm-up send hour on the same process first, as the broadcast scenario sends a warm-up broadcast: a fresh
        // process spends its first tens of thousands of messages compiling (bench/findings.md, broadcast).
        var warm = await WaitSentAsync(db, warmSequence, WarmUpRecipients, healthyAt, server);
        if (warm.Sent != WarmUpRecipients) throw new BenchException($"the warm-up send hour ended with {warm.Sent:#,0} of {WarmUpRecipients:#,0} sent");
        ctx.Report.Evidence($"Sequences {name}: the warm-up send hour just before it, the first on a fresh process " +
                            $"({WarmUpRecipients:#,0} subscribers of another account, due as the server started), ran at " +
                            $"{WarmUpRecipients / (warm.LastSent - healthyAt).TotalSeconds:#,0} msg/s from the server's first /healthz to the last sent_at.");

        var sinkBefore = await sink.SettledCountAsync();
        var cpuBefore = server.Cpu;
        var threadsBefore = Proc.ThreadCpu(server.Pid);
        // The send hour is set 90 s ahead, as a running server meets one: its steps (an hour after each subscriber's last)
        // fall due at that second, and the scheduler writes them ahead within Delivery:SequenceLookahead (5 min), as it
        // does before every send hour. The rate counts from the send hour. (A server that starts after its send hour
        // writes and sends together; that case was measured at 21% / 25%, bench/findings.md.)
        var sendAt = DateTime.UtcNow.AddSeconds(90);
        sendAt = new DateTime(sendAt.Ticks - sendAt.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        await using (var connection = await db.OpenAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await Exec(connection, tx, "UPDATE sequences SET send_hour = @hour WHERE id = @id", ("hour", sendAt.Hour), ("id", sequence));
            await Exec(connection, tx, """
                UPDATE subscriptions SET sequence_anchor_at = @anchor, next_send_at = @due
                WHERE subscribable_type = 'course' AND subscribable_id = @id
                """, ("anchor", At(db, sendAt.AddHours(-1))), ("due", At(db, sendAt)), ("id", sequence));
            await tx.CommitAsync();
        }
        var start = DateTime.UtcNow > sendAt ? DateTime.UtcNow : sendAt;

        var result = await WaitSentAsync(db, sequence, Recipients, start, server);
        var cpu = server.Cpu - cpuBefore;
        var threads = Proc.ThreadCpuDelta(threadsBefore, Proc.ThreadCpu(server.Pid), result.LastSent - start);
        var peak = server.PeakRss;
        var received = await sink.SettledCountAsync() - sinkBefore;
        var seconds = (result.LastSent - start).TotalSeconds;
        var rate = result.Sent / seconds;
        ctx.Report.Note($"Sequences {name}: {result.Sent:#,0} sent, {result.Failed:#,0} failed, {result.Steps:#,0} steps written, " +
                        $"smtp-sink counted {received:#,0}; {seconds:0.0} s from the send hour to the last sent_at " +
                        $"(the scheduler had written every step after {(result.ScheduledAt - start).TotalSeconds:0.0} s, when {result.SentWhenScheduled:#,0} were sent; the first " +
                        $"message was sent after {(result.FirstSent - start).TotalSeconds:0.0} s).");
        var whole = result.Sent == Recipients && result.Steps == Recipients && received == Recipients;
        if (!whole) ctx.Report.Note($"Sequences {name}: NOT every subscriber was sent their step exactly once (see the counts above).");

        var ratio = rate / baselineRate;
        ctx.Report.Add(new Row($"Sequences: {name}, personalised + tracked, {SmtpConnections} SMTP connections",
            Stats.Rate(baselineRate, "msg/s (smtp-source)"), Stats.Rate(rate, "msg/s"), Stats.Percent(ratio),
            "≥ 33% and < 300 MB", ratio >= RateGoal && peak < MemoryGoal && whole, "—", Proc.Mb(peak))
        {
            Key = "sequences",
            Miss = (ratio >= RateGoal ? "" : $"{Stats.Percent(ratio)} of smtp-source's rate against a third: {RateGoal / ratio:0.##}× short " +
                                             $"(needs {Stats.Rate(baselineRate * RateGoal, "msg/s")}). ") +
                   (peak < MemoryGoal ? "" : $"Peak RSS {Proc.Mb(peak)} is over 300 MB by {Proc.Mb(peak - MemoryGoal)}. ") +
                   (whole ? "" : "Not every subscriber was sent exactly one message."),
        });
        ctx.Report.Evidence($"Sequences {name}: server CPU {cpu.TotalMicroseconds / Math.Max(1, result.Sent):0} µs per message " +
                            $"({cpu.TotalSeconds / seconds * 100:0}% of one core on average, scheduling and sending together); by thread, % of one core: {threads} " +
                            "(the scheduler, the send run's reader and committer run on the pool's `.NET TP Worker`s, each SMTP connection on a `.NET Long Running Task`).");

        // The same 100,000 as a broadcast on the same warm process, right after: what the broadcast pipeline does here now.
        var broadcastId = await BroadcastScenario.CreateBroadcastAsync(ctx, server, account);
        var (status, broadcastSent, _) = await BroadcastScenario.WaitAsync(db, broadcastId, Recipients, server);
        var (startedAt, completedAt) = await BroadcastScenario.TimesAsync(db, broadcastId);
        var broadcastRate = broadcastSent / (completedAt - startedAt).TotalSeconds;
        ctx.Report.Evidence($"Sequences {name}: a broadcast to the same {Recipients:#,0} on the same process right after ran at " +
                            $"{broadcastRate:#,0} msg/s ({status}, {broadcastSent:#,0} sent; {Stats.Percent(broadcastRate / baselineRate)} of smtp-source's rate): " +
                            $"the send hour ran at {Stats.Percent(rate / broadcastRate)} of it.");
    }

    sealed record SendResult(long Sent, long Failed, long Steps, DateTime ScheduledAt, long SentWhenScheduled, DateTime FirstSent, DateTime LastSent);

    /// <summary>
    /// Waits until none of the sequence's subscriptions is due any more (the scheduler has written every step) and no
    /// step is pending; the figures come from the rows' own times, so how often this looks does not matter.
    /// </summary>
    static async Task<SendResult> WaitSentAsync(BenchDatabase db, long sequence, int expected, DateTime since, ServerProcess server)
    {
        var watch = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(600);
        var lastPrint = TimeSpan.Zero;
        DateTime? scheduledAt = null;
        await using var connection = await db.OpenAsync();
        while (watch.Elapsed < limit)
        {
            var now = DateTime.UtcNow;
            if (now < since)
            {
                await Task.Delay(since - now);
                continue;
            }
            var due = await Scalar(connection, """
                SELECT count(*) FROM (SELECT 1 FROM subscriptions
                WHERE next_send_at <= @now AND subscribable_type = 'course' AND subscribable_id = @id LIMIT 1) AS x
                """, ("now", At(db, now)), ("id", sequence));
            if (due == 0) scheduledAt ??= now;
            var pending = await Scalar(connection, """
                SELECT count(*) FROM (SELECT 1 FROM sequence_deliveries WHERE sent_at IS NULL AND failed_at IS NULL AND sequence_id = @id LIMIT 1) AS x
                """, ("id", sequence));
            if (due == 0 && pending == 0) break;
            if (watch.Elapsed - lastPrint > TimeSpan.FromSeconds(10))
            {
                lastPrint = watch.Elapsed;
                Console.WriteLine($"    sequence {sequence}: {(due == 0 ? "all steps written" : "scheduling")} after {watch.Elapsed.TotalSeconds:0} s, RSS {Proc.Mb(server.Rss)}");
            }
            await Task.Delay(500);
        }
        await using var command = BenchDatabase.Command(connection, """
            SELECT count(*), count(sent_at), count(failed_at), min(sent_at), max(sent_at) FROM sequence_deliveries WHERE sequence_id = @id
            """, ("id", sequence));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (steps, sent, failed) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        if (sent == 0) throw new BenchException($"sequence {sequence}: nothing was sent within {limit.TotalSeconds:0} s ({steps:#,0} steps written)");
        if (sent + failed < expected) throw new BenchException($"sequence {sequence}: {sent:#,0} of {expected:#,0} sent within {limit.TotalSeconds:0} s");
        var first = reader.GetDateTime(3);
        var last = reader.GetDateTime(4);
        await reader.DisposeAsync();
        var scheduled = scheduledAt ?? DateTime.UtcNow;
        var sentThen = await Scalar(connection, "SELECT count(*) FROM sequence_deliveries WHERE sequence_id = @id AND sent_at <= @then",
            ("id", sequence), ("then", db.IsPostgres ? scheduled : scheduled.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture)));
        return new SendResult(sent, failed, steps, scheduled, sentThen, Utc(first), Utc(last));
    }

    // ---- (b) 1,000,000 subscriptions, none due ----

    static async Task IdleAsync(BenchContext ctx, BenchDatabase db)
    {
        var mailroom = ctx.Mailroom(db, $"sequences-idle-{db.Provider}");
        var account = await mailroom.SetUpAccountAsync();
        var loadSubscribers = await BulkLoad.SubscribersAsync(db, account.Id, IdleSubscriptions);
        await BulkLoad.SettleAsync(db);

        // Baseline: the same server on the same database, with its million subscribers but no sequence data yet.
        double baselinePercent;
        await using (var server = await mailroom.StartAsync())
            (baselinePercent, _) = await IdleCpuPercentAsync(server);

        var watch = Stopwatch.StartNew();
        var now = DateTime.UtcNow;
        var sequence = await CreateSequenceAsync(db, account.Id, 9);
        // Next send times spread over the next 30 days, one a second or so apart (a course's subscribers wait for their next
        // email on every day of the month), none due.
        var from = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddHours(1);
        await EnrolAsync(db, account.Id, sequence, now.AddDays(-1), db.IsPostgres
            ? "@from + (id % 2592000) * interval '1 second'"
            : "datetime(@from, '+' || (id % 2592000) || ' seconds')", ("from", At(db, from)));
        await BulkLoad.SettleAsync(db);
        var loadSubscriptions = watch.Elapsed;
        ctx.Report.Note($"Sequences idle ({db.Label}): loaded {IdleSubscriptions:#,0} subscribers in {loadSubscribers.TotalSeconds:0.0} s and their " +
                        $"course subscriptions (next send times spread over the next 30 days) in {loadSubscriptions.TotalSeconds:0.0} s, " +
                        "one INSERT … SELECT each" + (db.IsPostgres ? ", then VACUUM ANALYZE." : "."));

        double percent, apiOnlyPercent;
        string threads, apiOnlyThreads;
        long peak;
        await using (var server = await mailroom.StartAsync())
        {
            (percent, threads) = await IdleCpuPercentAsync(server);
            peak = server.PeakRss;
            if (await db.ScalarAsync<long>("SELECT count(*) FROM sequence_deliveries") != 0)
                throw new BenchException("the idle server wrote sequence steps although none was due");
        }
        // And with Workers:Enabled=false (an API-only process): what the five polling workers together cost, an upper
        // bound on the scheduler's own share.
        await using (var server = await mailroom.StartAsync(new Dictionary<string, string> { ["Workers__Enabled"] = "false" }))
            (apiOnlyPercent, apiOnlyThreads) = await IdleCpuPercentAsync(server);
        ctx.Report.Add(new Row($"Sequences: idle server CPU, {IdleSubscriptions:#,0} course subscriptions none due, workers on ({db.Label})",
            $"{baselinePercent:0.00}% of one core (no sequence data)", $"{percent:0.00}% of one core",
            $"{percent - baselinePercent:+0.00;-0.00} points", "< 1% of one core", percent < IdleGoalPercent, "—", Proc.Mb(peak))
        {
            Key = "sequences",
            Miss = $"{percent:0.00}% of one core against 1% ({percent - IdleGoalPercent:0.00} points over); the same server without sequence data: {baselinePercent:0.00}%.",
        });
        ctx.Report.Evidence($"Sequences idle ({db.Label}): server CPU from /proc/PID/stat (utime + stime) over {IdleWindow.TotalSeconds:0} s, " +
                            $"{IdleSettle.TotalSeconds:0} s after its first /healthz, API idle, every worker polling once a second: " +
                            $"{baselinePercent:0.00}% before the sequence data was loaded, {percent:0.00}% with it (by thread: {threads}), " +
                            $"{apiOnlyPercent:0.00}% with it and Workers:Enabled=false (by thread: {apiOnlyThreads}); so the five workers' polls " +
                            $"cost {percent - apiOnlyPercent:0.00} points of a core together and the million waiting subscriptions {percent - baselinePercent:+0.00;-0.00}.");

        await using var connection = await db.OpenAsync();
        var probeNow = At(db, DateTime.UtcNow);
        var probe = await TimeAsync(connection, db, ProbeSql, probeNow, expectRows: 1);
        ctx.Report.Evidence($"Sequences idle ({db.Label}): the scheduler's idle probe ({ProbeSql}) with nothing due: " +
                            $"p50 {Stats.Ms(Stats.Median(probe))}, p95 {Stats.Ms(Stats.Percentile(probe, 95))} over {QuerySamples} runs; plan: {await PlanAsync(connection, db, ProbeSql, probeNow)}.");

        // 500 of the million fall due (every 2,000th, so they are spread through the index like real ones).
        await BenchDatabase.ExecAsync(connection, $"UPDATE subscriptions SET next_send_at = @due WHERE subscribable_id = @id AND id % {IdleSubscriptions / DueInIdle} = 0",
            ("due", At(db, now.AddMinutes(-5))), ("id", sequence));
        var batchSql = db.IsPostgres ? PostgresBatchSql : SqliteBatchSql;
        var batchNow = At(db, DateTime.UtcNow);
        var times = await TimeAsync(connection, db, batchSql, batchNow, expectRows: DueInIdle);
        var p95 = Stats.Percentile(times, 95);
        ctx.Report.Add(new Row($"Sequences: the scheduler's next due batch, {DueInIdle} of {IdleSubscriptions:#,0} due ({db.Label})",
            "—", $"p95 {Stats.Ms(p95)}", "—", "p95 < 5 ms", p95 < QueryGoalMs,
            $"{Stats.Ms(Stats.Median(times))} / p99 {Stats.Ms(Stats.Percentile(times, 99))}", "—")
        {
            Key = "sequences",
            Miss = $"p95 {Stats.Ms(p95)} against 5 ms ({p95 / QueryGoalMs:0.0}× the goal).",
        });
        ctx.Report.Evidence($"Sequences idle ({db.Label}): the batch query `{batchSql}` run {QuerySamples} times on its own connection" +
                            (db.IsPostgres ? " (each in a transaction rolled back, as the scheduler holds the row locks until it commits)" : "") +
                            $", after 10 untimed; plan: {await PlanAsync(connection, db, batchSql, batchNow)}.");
    }

    /// <summary>The process's CPU (utime + stime) over the idle window, after it has settled, as % of one core, and by thread.</summary>
    static async Task<(double Percent, string Threads)> IdleCpuPercentAsync(ServerProcess server)
    {
        await Task.Delay(IdleSettle);
        var before = server.Cpu;
        var threadsBefore = Proc.ThreadCpu(server.Pid);
        var watch = Stopwatch.StartNew();
        await Task.Delay(IdleWindow);
        var used = server.Cpu - before;
        var threads = Proc.ThreadCpuDelta(threadsBefore, Proc.ThreadCpu(server.Pid), watch.Elapsed, decimals: true);
        return (used.TotalSeconds / watch.Elapsed.TotalSeconds * 100, threads);
    }

    static async Task<List<double>> TimeAsync(DbConnection connection, BenchDatabase db, string sql, object now, int expectRows)
    {
        var times = new List<double>();
        for (var i = 0; i < QuerySamples + 10; i++)
        {
            await using var tx = db.IsPostgres ? await connection.BeginTransactionAsync() : null;
            await using var command = BenchDatabase.Command(connection, sql, ("now", now));
            command.Transaction = tx;
            var watch = Stopwatch.StartNew();
            var rows = 0;
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) rows++;
            watch.Stop();
            if (tx is not null) await tx.RollbackAsync();
            if (rows != expectRows) throw new BenchException($"`{sql}` read {rows} rows, expected {expectRows}");
            if (i >= 10) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    static async Task<string> PlanAsync(DbConnection connection, BenchDatabase db, string sql, object now)
    {
        await using var command = BenchDatabase.Command(connection, (db.IsPostgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql, ("now", now));
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(db.IsPostgres ? 0 : 3).Trim());
        return "`" + string.Join(" / ", lines) + "`";
    }

    // ---- loading ----

    /// <summary>One active sequence (all days, the given hour, UTC) with two published day-based emails, the broadcast's content.</summary>
    static async Task<long> CreateSequenceAsync(BenchDatabase db, long accountId, int sendHour, string firstUnit = "days")
    {
        var now = At(db, DateTime.UtcNow);
        await using var connection = await db.OpenAsync();
        await using var insert = BenchDatabase.Command(connection, """
            INSERT INTO sequences (account_id, name, hold, repeat, active, send_days, send_hour, time_zone, exclude_subscriber_sources, created_at, updated_at)
            VALUES (@account, 'Course', @no, @no, @yes, 127, @hour, 'UTC', '[]', @now, @now) RETURNING id
            """, ("account", accountId), ("no", false), ("yes", true), ("hour", sendHour), ("now", now));
        var id = Convert.ToInt64(await insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        // The measured step is the first (a day after joining); the second keeps the subscriber in the course afterwards,
        // as on most send hours of a course, rather than completing it.
        foreach (var (position, delay, unit) in new[] { (0, 1, firstUnit), (1, 2, "days") })
            await BenchDatabase.ExecAsync(connection, """
                INSERT INTO sequence_emails (account_id, sequence_id, subject, content, delay_value, delay_unit, published, position, created_at, updated_at)
                VALUES (@account, @sequence, @subject, @content, @delay, @unit, @yes, @position, @now, @now)
                """, ("account", accountId), ("sequence", id), ("subject", BroadcastScenario.Subject), ("content", BroadcastScenario.Content),
                ("delay", delay), ("unit", unit), ("yes", true), ("position", position), ("now", now));
        return id;
    }

    /// <summary>
    /// Every subscriber of the account joins the sequence: active, no email passed yet, anchored at
    /// <paramref name="anchor"/>, and waiting in the next_send_at index at <paramref name="nextSendAt"/> (or at the
    /// time the SQL expression <paramref name="nextSendSql"/> gives for each subscriber).
    /// </summary>
    static Task EnrolAsync(BenchDatabase db, long accountId, long sequence, DateTime anchor, DateTime nextSendAt) =>
        EnrolAsync(db, accountId, sequence, anchor, "@next", ("next", At(db, nextSendAt)));

    static async Task EnrolAsync(BenchDatabase db, long accountId, long sequence, DateTime anchor, string nextSendSql,
        params (string Name, object Value)[] extra)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Exec(connection, tx, $"""
            INSERT INTO subscriptions (account_id, subscriber_id, subscribable_type, subscribable_id, state, sequence_anchor_at, next_send_at,
                                       sequence_round, created_at, updated_at)
            SELECT account_id, id, 'course', @sequence, 'active', @anchor, {nextSendSql}, 0, @anchor, @anchor
            FROM subscribers WHERE account_id = @account
            """, [("account", accountId), ("sequence", sequence), ("anchor", At(db, anchor)), .. extra]);
        await tx.CommitAsync();
    }

    // ---- helpers ----

    static DateTime Hour(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc);

    static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Utc);

    /// <summary>
    /// A time as each provider's column holds it: timestamptz for Npgsql (a UTC DateTime), and for SQLite the text EF
    /// Core writes (whole seconds here, so no fraction), which the scheduler compares as text.
    /// </summary>
    static object At(BenchDatabase db, DateTime t) =>
        db.IsPostgres ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    static async Task Exec(DbConnection connection, DbTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = BenchDatabase.Command(connection, sql, parameters);
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync();
    }

    static async Task<long> Scalar(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = BenchDatabase.Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
