using System.Text;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Delivery;

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
    IOptions<WebhookOptions> options, IOptions<DeliveryOptions> delivery, ILogger<WebhookDispatcher> logger)
{
    readonly string _instance = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    // Leases are held per instance, so one instance runs one pass at a time; separate instances run side by side.
    readonly SemaphoreSlim _pass = new(1, 1);
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
            return await PassAsync(ct);
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
        // Fan-out runs beside the sending loop: building and inserting a batch of deliveries takes long enough that
        // the slots would sit idle meanwhile. -1: no fan-out finished this round.
        Task<int>? fanning = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var fanned = -1;
                if (fanning is { IsCompleted: true })
                {
                    fanned = await fanning;
                    fanning = null;
                    work += fanned;
                    moreEvents = fanned > 0;
                    if (fanned > 0) dryAt = null;
                }
                // Claiming costs three statements, so it waits until half the pass's room is free, and after a claim
                // that found less than it could take, until a busy target drains to half, new deliveries were fanned
                // out or PollInterval passes. An idle pass always looks, and ends only when a look finds nothing.
                var claimDue = pass.Held == 0 || (pass.Held <= pass.TotalCap / 2
                               && (dryAt is null || pass.Reopened || time.GetElapsedTime(dryAt.Value) >= delivery.Value.PollInterval));
                if (fanning is null && fanned != 0 && (moreEvents || claimDue))
                    fanning = FanOutOffPoolAsync(ct);
                var claimed = 0;
                if (claimDue)
                {
                    var room = pass.Room;
                    var got = await ClaimAsync(room, pass, ct);
                    got.ForEach(pass.Add);
                    claimed = got.Count;
                    pass.Reopened = false;
                    dryAt = claimed < room ? time.GetTimestamp() : null;
                }
                pass.Start(c => SendAsync(c, ct));
                if (pass.InFlight.Count == 0)
                {
                    work += await RecordAsync(pass.Done, ct);
                    if (fanning is not null)
                    {
                        await fanning.WaitAsync(ct).ContinueWith(_ => { }, TaskScheduler.Default);
                        continue;
                    }
                    if (fanned == 0 && claimed == 0) break;
                    continue;
                }
                var answered = await WaitForAnyAsync(fanning is null ? pass.InFlight.Keys : pass.InFlight.Keys.Append<Task>(fanning), ct);
                pass.Harvest(all: false);
                pass.Start(c => SendAsync(c, ct));
                // Outcomes are written a batch at a time while queued work keeps the slots busy; at once when nothing
                // is queued or nothing answered for a poll interval, so a slow receiver never leaves others unrecorded.
                if (pass.Done.Count >= Options.MaxConcurrency || pass.Queued == 0 || !answered)
                    work += await RecordAsync(pass.Done, ct);
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
            pass.Harvest(all: true);
            pass.ReleaseQueued();
            work += await RecordAsync(pass.Done, CancellationToken.None);
        }
        return work;
    }

    /// <summary>
    /// Fan-out runs on a thread of its own, not the thread pool: Microsoft.Data.Sqlite's async calls run synchronously
    /// (and sleep on a busy write lock), so a batch would hold a pool thread for tens of milliseconds and, on a
    /// two-core machine with a pool of two or three threads, keep the API's requests waiting in the queue behind it.
    /// On PostgreSQL the awaits do yield and the rest continues on the pool as before.
    /// </summary>
    Task<int> FanOutOffPoolAsync(CancellationToken ct) =>
        Task.Factory.StartNew(() => FanOutAsync(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

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
    async Task<List<Claimed>> ClaimAsync(int free, Pass pass, CancellationToken ct)
    {
        if (free <= 0) return [];
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // One connection for the claim's statements: each open costs EF Core's SQLite provider more than a small query.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await ClaimAsync(db, free, pass, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    async Task<List<Claimed>> ClaimAsync(AppDbContext db, int free, Pass pass, CancellationToken ct)
    {
        var now = time.UtcNow();
        var busy = pass.Busy();
        var candidates = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDeliveryStatuses.Pending && d.NextAttemptAt <= now
                        && (d.LockedUntil == null || d.LockedUntil < now) && !busy.Contains(d.TargetUrl))
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(free)
            .Select(d => new { d.Id, d.TargetUrl }).ToListAsync(ct);
        var chosen = new List<long>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            if (chosen.Count == free) break;
            var held = counts.GetValueOrDefault(c.TargetUrl, pass.HeldFor(c.TargetUrl));
            if (held >= pass.TargetCap) continue;
            counts[c.TargetUrl] = held + 1;
            chosen.Add(c.Id);
        }
        if (chosen.Count == 0) return [];

        var until = now + Options.Lease;
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
            await db.WebhookDeliveries.Where(d => orphaned.Contains(d.Id) && d.LockedBy == _instance && d.Status == WebhookDeliveryStatuses.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatuses.Cancelled)
                    .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);
        return [.. claimed.Where(c => c.RuleEnabled)];
    }

    async Task<Outcome> SendAsync(Claimed c, CancellationToken ct)
    {
        // Yield first so the loop starts every claimed request before any of them does its synchronous setup work.
        await Task.Yield();
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

    static WebhookTargetRefusedException? FindRefusal(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is WebhookTargetRefusedException refused) return refused;
        return null;
    }
}
