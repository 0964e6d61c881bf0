using System.Text;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Delivery.Webhooks;

/// <summary>
/// Delivers webhooks, at least once. The database is the queue: stage 1 fans each outbox event out into
/// webhook_deliveries rows (one per matching rule), stage 2 POSTs due deliveries and records each outcome, retrying
/// with exponential backoff and jitter until MaxAge. Both stages claim rows with a lease (locked_until + locked_by),
/// so processes sharing a database never fan out or send the same row at once.
/// Many requests are in flight together (MaxConcurrency, and at most MaxConcurrencyPerTarget to one target URL). A pass
/// claims a few slots' worth ahead per target and writes outcomes a batch at a time, so the database sees a few
/// statements per few dozen deliveries; a slow or dead receiver still holds only its own slots and its own queue.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory httpClients, WebhookPayloads payloadBuilder, TimeProvider time,
    IOptions<WebhookOptions> options, IOptions<DeliveryOptions> delivery, IOptions<WorkerOptions> workers,
    ILogger<WebhookDispatcher> logger)
{
    readonly string _instance = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    // The whole pass runs here, not on the thread pool the API serves requests from: one thread each for the loop,
    // fan-out, the claim and the outcome write (they block on the database), and a core's worth for the requests,
    // which await their sockets and resume here. A thread per request in flight blocking on its socket kept the pool
    // clear too, but every GC had to stop a dozen more runnable threads on two cores, and the API's requests waited
    // behind that (bench/findings.md, webhooks "Seventh look").
    readonly BackgroundScheduler _threads = new("webhooks", Environment.ProcessorCount + 4, workers.Value.Nice);
    // Leases are held per instance, so one instance runs one pass at a time; separate instances run side by side.
    readonly SemaphoreSlim _pass = new(1, 1);
    // SQLite has one writer at a time, and a writer that finds the lock taken sleeps in busy_timeout's back-off
    // (1 ms growing to 100 ms) rather than waking when it is free. Fan-out, claims and outcome writes run side by side,
    // so they take turns here first and the next one starts the moment the last commits.
    readonly SemaphoreSlim _sqliteWrites = new(1, 1);
    WebhookOptions Options => options.Value;

    sealed record Claimed(long Id, Guid DeliveryId, long AccountId, string TargetUrl, string Payload, string EventName,
        bool RuleEnabled, string? Secret, int Attempts, DateTime CreatedAt);

    enum OutcomeKind { Delivered, Retry, Refused, Released }

    sealed record Outcome(OutcomeKind Kind, int? StatusCode, string? Error);

    /// <summary>
    /// Fans out and sends until nothing is due and nothing is in flight. Returns events fanned out plus deliveries
    /// attempted, so the worker loop only sleeps when there was nothing to do. Tests call it directly.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try
        {
            return await _threads.Run(() => PassAsync(ct), ct);
        }
        finally
        {
            _pass.Release();
        }
    }

    async Task<int> PassAsync(CancellationToken ct)
    {
        var pass = new Pass(Options);
        var work = 0;
        var moreEvents = true;
        var dryAt = (long?)null;
        // Fan-out, claims and outcome writes all run beside the sending loop, at most one of each at a time: each is a
        // few statements that wait their turn for SQLite's write lock, and slots left idle meanwhile were most of a
        // backlog's time. The loop only starts them, sends, and takes in what they return.
        Task<int>? fanning = null;
        Task<List<Claimed>>? claiming = null;
        Task<int>? recording = null;
        List<(Claimed Claimed, Outcome Outcome)> writing = [];
        // What the last finished fan-out and claim found (-1: not known since new deliveries appeared): a pass ends
        // when nothing is held or running and both last looked and found nothing.
        var lastFanned = -1;
        var lastClaimed = -1;
        var fannedDuringClaim = false;
        var claimRoom = 0;
        var answered = true;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var fannedNothingNow = false;
                if (fanning is { IsCompleted: true })
                {
                    lastFanned = await fanning;
                    fannedNothingNow = lastFanned == 0;
                    fanning = null;
                    work += lastFanned;
                    moreEvents = lastFanned > 0;
                    if (lastFanned > 0)
                    {
                        dryAt = null;
                        lastClaimed = -1;
                        fannedDuringClaim = claiming is not null;
                    }
                }
                if (claiming is { IsCompleted: true })
                {
                    var got = await claiming;
                    claiming = null;
                    got.ForEach(pass.Add);
                    lastClaimed = fannedDuringClaim ? -1 : got.Count;
                    dryAt = got.Count < claimRoom ? time.GetTimestamp() : null;
                }
                if (recording is { IsCompleted: true })
                {
                    var written = recording;
                    recording = null;
                    // A failed write hands its outcomes back, so the finally block still records them.
                    if (!written.IsCompletedSuccessfully) pass.Done.AddRange(writing);
                    writing = [];
                    work += await written;
                }
                pass.Start(c => SendAsync(c, ct));

                var idle = pass.Held == 0 && pass.Done.Count == 0 && claiming is null && fanning is null && recording is null;
                if (idle && lastFanned == 0 && lastClaimed == 0) break;

                // Claiming costs three statements, so it waits until half the pass's room is free, and after a claim
                // that found less than it could take, until a busy target drains to half, new deliveries were fanned
                // out or PollInterval passes. An idle pass looks again once a fan-out has run since its last look,
                // and ends when both last looked and found nothing.
                var claimDue = claiming is null && (pass.Held == 0
                    ? lastClaimed != 0 || fanning is null
                    : pass.Held <= pass.TotalCap / 2
                      && (dryAt is null || pass.Reopened || time.GetElapsedTime(dryAt.Value) >= delivery.Value.PollInterval));
                if (fanning is null && (moreEvents || claimDue && !fannedNothingNow))
                    fanning = _threads.Run(() => FanOutAsync(ct), ct);
                if (claimDue)
                {
                    var view = pass.ClaimView();
                    claimRoom = view.Free;
                    fannedDuringClaim = false;
                    claiming = _threads.Run(() => ClaimAsync(view, ct), ct);
                }
                // Outcomes are written a batch at a time while requests are in flight (each write is a commit on the
                // database's one writer); at once when nothing is left in flight or nothing answered for a poll
                // interval, so a slow receiver never leaves others unrecorded.
                if (recording is null && pass.Done.Count > 0
                    && (pass.Done.Count >= Options.MaxConcurrency || pass.InFlight.Count == 0 || !answered))
                {
                    writing = [.. pass.Done];
                    pass.Done.Clear();
                    var batch = writing;
                    recording = _threads.Run(() => RecordAsync(batch, ct), ct);
                }

                IEnumerable<Task> running = pass.InFlight.Keys;
                if (fanning is not null) running = running.Append(fanning);
                if (claiming is not null) running = running.Append(claiming);
                if (recording is not null) running = running.Append(recording);
                if (!running.Any()) break;
                answered = await WaitForAnyAsync(running, ct);
                pass.Harvest(all: false);
            }
        }
        finally
        {
            // Stopping (or a database error) lets the requests in flight end, cancelled or answered, and records them:
            // an answered request left unrecorded would be sent again after its lease. Claimed work never started is
            // handed back untouched. A fan-out cut short rolls back and is done again by the next pass.
            if (pass.InFlight.Count > 0) await Task.WhenAll(pass.InFlight.Keys).ContinueWith(_ => { }, TaskScheduler.Default);
            if (fanning is not null)
            {
                await fanning.ContinueWith(_ => { }, TaskScheduler.Default);
                if (fanning.IsCompletedSuccessfully) work += fanning.Result;
            }
            if (claiming is not null)
            {
                await claiming.ContinueWith(_ => { }, TaskScheduler.Default);
                if (claiming.IsCompletedSuccessfully) claiming.Result.ForEach(pass.Add);
            }
            if (recording is not null)
            {
                await recording.ContinueWith(_ => { }, TaskScheduler.Default);
                if (recording.IsCompletedSuccessfully) work += recording.Result;
                else pass.Done.AddRange(writing);
            }
            pass.Harvest(all: true);
            pass.ReleaseQueued();
            work += await RecordAsync(pass.Done, CancellationToken.None);
        }
        return work;
    }

    /// <summary>
    /// Waits for a request to finish, or for PollInterval so new work is picked up while slow receivers hang.
    /// False when nothing finished in that time.
    /// </summary>
    async Task<bool> WaitForAnyAsync(IEnumerable<Task> tasks, CancellationToken ct)
    {
        try
        {
            await Task.WhenAny(tasks).WaitAsync(delivery.Value.PollInterval, time, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Claims up to <paramref name="free"/> due deliveries, no more per target than the pass may hold for it, leaving
    /// out targets the pass already holds plenty for.
    /// </summary>
    async Task<List<Claimed>> ClaimAsync(ClaimView view, CancellationToken ct)
    {
        if (view.Free <= 0) return [];
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // One connection for the claim's statements: each open costs EF Core's SQLite provider more than a small query.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await ClaimAsync(db, view, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    async Task<List<Claimed>> ClaimAsync(AppDbContext db, ClaimView view, CancellationToken ct)
    {
        var now = time.UtcNow();
        var busy = view.Busy;
        var candidates = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDeliveryStatuses.Pending && d.NextAttemptAt <= now
                        && (d.LockedUntil == null || d.LockedUntil < now) && !busy.Contains(d.TargetUrl))
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(view.Free)
            .Select(d => new { d.Id, d.TargetUrl }).ToListAsync(ct);
        var chosen = new List<long>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            if (chosen.Count == view.Free) break;
            var held = counts.GetValueOrDefault(c.TargetUrl, view.Held.GetValueOrDefault(c.TargetUrl));
            if (held >= view.TargetCap) continue;
            counts[c.TargetUrl] = held + 1;
            chosen.Add(c.Id);
        }
        if (chosen.Count == 0) return [];

        var until = now + Options.Lease;
        using (await WriteTurnAsync(db, ct))
            await db.WebhookDeliveries
                .Where(d => chosen.Contains(d.Id) && d.Status == WebhookDeliveryStatuses.Pending && (d.LockedUntil == null || d.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, until).SetProperty(d => d.LockedBy, _instance), ct);
        var claimed = await (
            from d in db.WebhookDeliveries.AsNoTracking()
            join r in db.WebhookRules on d.RuleId equals r.Id
            join a in db.Accounts on d.AccountId equals a.Id
            where chosen.Contains(d.Id) && d.LockedBy == _instance && d.Status == WebhookDeliveryStatuses.Pending
            orderby d.NextAttemptAt, d.Id
            select new Claimed(d.Id, d.DeliveryId, d.AccountId, d.TargetUrl, d.Payload, r.EventName,
                r.Status == WebhookRuleStatuses.Enabled, a.WebhookSigningSecret, d.Attempts, d.CreatedAt)).ToListAsync(ct);

        // A rule deleted after its events were fanned out: its deliveries are cancelled, never sent.
        var orphaned = claimed.Where(c => !c.RuleEnabled).Select(c => c.Id).ToList();
        if (orphaned.Count > 0)
            using (await WriteTurnAsync(db, ct))
                await db.WebhookDeliveries.Where(d => orphaned.Contains(d.Id) && d.LockedBy == _instance && d.Status == WebhookDeliveryStatuses.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatuses.Cancelled)
                    .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);
        return [.. claimed.Where(c => c.RuleEnabled)];
    }

    /// <summary>
    /// One POST, started and resumed on the dispatcher's own threads: the HTTP work stays off the API's thread pool
    /// (see <see cref="BackgroundScheduler"/>). Never cancelled before it starts, so a claimed delivery always ends
    /// as an outcome.
    /// </summary>
    Task<Outcome> SendAsync(Claimed c, CancellationToken ct) => _threads.Run(() => SendCoreAsync(c, ct));

    async Task<Outcome> SendCoreAsync(Claimed c, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(c.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, c.TargetUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Mailroom-Delivery", c.DeliveryId.ToString());
        request.Headers.Add("X-Mailroom-Event", c.EventName);
        if (!string.IsNullOrEmpty(c.Secret)) request.Headers.Add("X-Mailroom-Signature", WebhookHttp.Signature(c.Secret, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.Timeout);
        try
        {
            using var response = await httpClients.CreateClient(WebhookHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return code is >= 200 and <= 299
                ? new Outcome(OutcomeKind.Delivered, code, null)
                : new Outcome(OutcomeKind.Retry, code, $"HTTP {code}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: whether it arrived is unknown, so it stays pending and is sent again (same delivery id).
            return new Outcome(OutcomeKind.Released, null, null);
        }
        catch (OperationCanceledException)
        {
            return new Outcome(OutcomeKind.Retry, null, $"no answer within {Options.Timeout.TotalSeconds:0.###} seconds");
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refused)
        {
            return new Outcome(OutcomeKind.Refused, null, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return new Outcome(OutcomeKind.Retry, null, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
    }

    /// <summary>This process's turn to write, on SQLite (see _sqliteWrites); on PostgreSQL row locks suffice.</summary>
    async Task<IDisposable?> WriteTurnAsync(AppDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return null;
        await _sqliteWrites.WaitAsync(ct);
        return new Turn(_sqliteWrites);
    }

    sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }

    static WebhookTargetRefusedException? FindRefusal(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is WebhookTargetRefusedException refused) return refused;
        return null;
    }
}
