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
        var began = time.GetTimestamp();
        var pass = new WebhookPass(Options, delivery.Value.PollInterval);
        var inFlight = new Dictionary<Task<WebhookOutcome>, WebhookClaim>();
        var work = 0;
        // Fan-out, claims and outcome writes all run beside the sending loop, at most one of each at a time: each is a
        // few statements that wait their turn for SQLite's write lock, and slots left idle meanwhile were most of a
        // backlog's time. The loop only starts them, sends, and takes in what they return; the pass decides.
        Task<int>? fanning = null;
        Task<ClaimResult>? claiming = null;
        Task<int>? recording = null;
        List<(WebhookClaim Claim, WebhookOutcome Outcome)> writing = [];
        var answered = true;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (fanning is { IsCompleted: true })
                {
                    var fanned = await fanning;
                    fanning = null;
                    work += fanned;
                    pass.FanOutFinished(fanned, claiming is not null);
                }
                if (claiming is { IsCompleted: true })
                {
                    var got = await claiming;
                    claiming = null;
                    pass.ClaimFinished(got.Claims, got.Exhausted, time.GetElapsedTime(began));
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
                foreach (var c in pass.StartNext()) inFlight[SendAsync(c, ct)] = c;

                var next = pass.Next(fanning is not null, claiming is not null, recording is not null, answered, time.GetElapsedTime(began));
                if (next.Finish) break;
                if (next.FanOut) fanning = _threads.Run(() => FanOutAsync(ct), ct);
                if (next.Claim)
                {
                    var view = pass.BeginClaim(time.GetElapsedTime(began));
                    claiming = _threads.Run(() => ClaimAsync(view, ct), ct);
                }
                if (next.Record)
                {
                    writing = [.. pass.Done];
                    pass.Done.Clear();
                    var batch = writing;
                    recording = _threads.Run(() => RecordAsync(batch, ct), ct);
                }

                IEnumerable<Task> running = inFlight.Keys;
                if (fanning is not null) running = running.Append(fanning);
                if (claiming is not null) running = running.Append(claiming);
                if (recording is not null) running = running.Append(recording);
                if (!running.Any()) break;
                answered = await WaitForAnyAsync(running, ct);
                Harvest(pass, inFlight, all: false);
            }
        }
        finally
        {
            // Stopping (or a database error) lets the requests in flight end, cancelled or answered, and records them:
            // an answered request left unrecorded would be sent again after its lease. Claimed work never started is
            // handed back untouched. A fan-out cut short rolls back and is done again by the next pass.
            if (inFlight.Count > 0) await Task.WhenAll(inFlight.Keys).ContinueWith(_ => { }, TaskScheduler.Default);
            if (fanning is not null)
            {
                await fanning.ContinueWith(_ => { }, TaskScheduler.Default);
                if (fanning.IsCompletedSuccessfully) work += fanning.Result;
            }
            if (claiming is not null)
            {
                await claiming.ContinueWith(_ => { }, TaskScheduler.Default);
                if (claiming.IsCompletedSuccessfully) claiming.Result.Claims.ForEach(pass.Add);
            }
            if (recording is not null)
            {
                await recording.ContinueWith(_ => { }, TaskScheduler.Default);
                if (recording.IsCompletedSuccessfully) work += recording.Result;
                else pass.Done.AddRange(writing);
            }
            Harvest(pass, inFlight, all: true);
            pass.ReleaseQueued();
            work += await RecordAsync(pass.Done, CancellationToken.None);
        }
        return work;
    }

    /// <summary>Hands finished requests (or all of them, once they have ended) to the pass.</summary>
    static void Harvest(WebhookPass pass, Dictionary<Task<WebhookOutcome>, WebhookClaim> inFlight, bool all)
    {
        foreach (var (task, c) in inFlight.Where(x => all || x.Key.IsCompleted).ToList())
        {
            inFlight.Remove(task);
            // SendAsync turns every request failure into an outcome; anything else that faulted is retried like one.
            pass.Finished(c, task.IsCompletedSuccessfully ? task.Result
                : new WebhookOutcome(WebhookOutcomeKind.Retry, null, task.Exception?.GetBaseException().Message ?? "cancelled"));
        }
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
    /// One POST, started and resumed on the dispatcher's own threads: the HTTP work stays off the API's thread pool
    /// (see <see cref="BackgroundScheduler"/>). Never cancelled before it starts, so a claimed delivery always ends
    /// as an outcome.
    /// </summary>
    Task<WebhookOutcome> SendAsync(WebhookClaim c, CancellationToken ct) => _threads.Run(() => SendCoreAsync(c, ct));

    async Task<WebhookOutcome> SendCoreAsync(WebhookClaim c, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(c.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, c.TargetUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Mailroom-Delivery", c.DeliveryId.ToString());
        request.Headers.Add("X-Mailroom-Event", c.EventName);
        if (!string.IsNullOrEmpty(c.Secret)) request.Headers.Add("X-Mailroom-Signature", WebhookHttp.Signature(c.Secret, body));

        // On the app's clock, like the dispatcher's other waits: tests hold requests open on a fake clock, and a
        // timeout on the machine's clock fired under load before the test released them.
        using var deadline = new CancellationTokenSource(Options.Timeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            using var response = await httpClients.CreateClient(WebhookHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return code is >= 200 and <= 299
                ? new WebhookOutcome(WebhookOutcomeKind.Delivered, code, null)
                : new WebhookOutcome(WebhookOutcomeKind.Retry, code, $"HTTP {code}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: whether it arrived is unknown, so it stays pending and is sent again (same delivery id).
            return new WebhookOutcome(WebhookOutcomeKind.Released, null, null);
        }
        catch (OperationCanceledException)
        {
            return new WebhookOutcome(WebhookOutcomeKind.Retry, null, $"no answer within {Options.Timeout.TotalSeconds:0.###} seconds");
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refused)
        {
            return new WebhookOutcome(WebhookOutcomeKind.Refused, null, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return new WebhookOutcome(WebhookOutcomeKind.Retry, null, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
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
