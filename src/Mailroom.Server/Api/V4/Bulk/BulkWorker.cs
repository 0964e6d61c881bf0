using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Domain;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.V4.Bulk;

/// <summary>
/// Applies queued bulk jobs, one at a time, and POSTs each result to its callback_url with retries. The database is
/// the queue: a job is claimed with a lease (so two processes never apply one job), applied, and marked completed in
/// the same transaction as its changes, so a process that dies halfway leaves the job queued and untouched and the next
/// pass (here or in a restarted process) applies it once. The callback is a separate, retried step that reads the
/// stored result; it goes through the webhook client, which refuses the same addresses webhooks may not reach.
/// </summary>
public sealed class BulkWorker(IServiceScopeFactory scopes, TimeProvider time, IOptions<BulkOptions> options,
    IHttpClientFactory http, ILogger<BulkWorker> logger)
{
    /// <summary>A job whose apply failed this often is marked failed rather than retried for ever.</summary>
    public const int MaxApplyAttempts = 5;
    // inferred: BulkJobStatuses names queued and completed; a job that cannot be applied is parked under this.
    public const string Failed = "failed";
    const int CallbacksPerPass = 16;

    readonly string _instance = $"bulk:{Environment.ProcessId}:{Guid.NewGuid():N}";
    BulkOptions Options => options.Value;

    /// <summary>One pass: applies the oldest claimable job, then sends the callbacks that are due. Returns the work done.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct) => await ApplyNextAsync(ct) + await SendCallbacksAsync(ct);

    async Task<int> ApplyNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var id = await db.BulkJobs.AsNoTracking()
            .Where(j => j.Status == BulkJobStatuses.Queued && (j.LockedUntil == null || j.LockedUntil < now))
            .OrderBy(j => j.Id).Select(j => (long?)j.Id).FirstOrDefaultAsync(ct);
        if (id is null) return 0;
        var until = now + Options.Lease;
        var claimed = await db.BulkJobs.Where(j => j.Id == id && j.Status == BulkJobStatuses.Queued && (j.LockedUntil == null || j.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LockedUntil, until).SetProperty(j => j.LockedBy, _instance)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1), ct);
        if (claimed == 0) return 1; // another process took it first
        var job = await db.BulkJobs.AsNoTracking().SingleAsync(j => j.Id == id, ct);
        var applier = scope.ServiceProvider.GetRequiredService<BulkApplier>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        JsonObject? result = null;
        if (job.Attempts > MaxApplyAttempts || BulkOperations.Find(job.Operation) is not { } op
            || (result = await applier.ApplyPayloadAsync(job.AccountId, op, job.Payload, ct)) is null)
        {
            await tx.RollbackAsync(ct);
            logger.LogError("Bulk job {Job} ({Operation}) could not be applied after {Attempts} attempts; marked failed", job.Id, job.Operation, job.Attempts - 1);
            await db.BulkJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, Failed)
                .SetProperty(j => j.LockedUntil, (DateTime?)null).SetProperty(j => j.LockedBy, (string?)null), ct);
            return 1;
        }

        var json = result.ToJsonString(V4Json.Options);
        var done = time.UtcNowSeconds();
        DateTime? callbackAt = job.CallbackUrl is null ? null : done;
        // Only while still ours: if the lease ran out and another process took the job, its apply wins and ours is undone.
        var marked = await db.BulkJobs.Where(j => j.Id == id && j.LockedBy == _instance && j.Status == BulkJobStatuses.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, BulkJobStatuses.Completed).SetProperty(j => j.Result, json)
                .SetProperty(j => j.CompletedAt, done).SetProperty(j => j.NextCallbackAt, callbackAt)
                .SetProperty(j => j.LockedUntil, (DateTime?)null).SetProperty(j => j.LockedBy, (string?)null), ct);
        if (marked != 1)
        {
            await tx.RollbackAsync(ct);
            return 1;
        }
        await tx.CommitAsync(ct);
        return 1;
    }

    async Task<int> SendCallbacksAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var due = await db.BulkJobs.AsNoTracking()
            .Where(j => j.Status == BulkJobStatuses.Completed && j.CallbackUrl != null && j.CallbackDeliveredAt == null
                && j.NextCallbackAt != null && j.NextCallbackAt <= now && (j.LockedUntil == null || j.LockedUntil < now))
            .OrderBy(j => j.NextCallbackAt).ThenBy(j => j.Id).Take(CallbacksPerPass)
            .Select(j => new { j.Id, j.CallbackUrl, j.Result, j.CallbackAttempts }).ToListAsync(ct);
        var sent = 0;
        foreach (var job in due)
        {
            var until = now + Options.CallbackTimeout * 2;
            var claimed = await db.BulkJobs.Where(j => j.Id == job.Id && j.CallbackDeliveredAt == null && (j.LockedUntil == null || j.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.LockedUntil, until).SetProperty(j => j.LockedBy, _instance), ct);
            if (claimed == 0) continue;
            var error = await PostAsync(job.CallbackUrl!, job.Result ?? "{}", ct);
            var attempts = job.CallbackAttempts + 1;
            var at = time.UtcNowSeconds();
            if (error is null)
                await db.BulkJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.CallbackDeliveredAt, at)
                    .SetProperty(j => j.CallbackAttempts, attempts).SetProperty(j => j.NextCallbackAt, (DateTime?)null)
                    .SetProperty(j => j.CallbackLastError, (string?)null)
                    .SetProperty(j => j.LockedUntil, (DateTime?)null).SetProperty(j => j.LockedBy, (string?)null), ct);
            else
            {
                // Capped exponential backoff; after the last attempt the job keeps its result and its last error.
                DateTime? next = attempts >= Options.CallbackMaxAttempts ? null : at + RetryDelay(attempts);
                var last = error.Length > 500 ? error[..500] : error;
                await db.BulkJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.CallbackAttempts, attempts)
                    .SetProperty(j => j.NextCallbackAt, next).SetProperty(j => j.CallbackLastError, last)
                    .SetProperty(j => j.LockedUntil, (DateTime?)null).SetProperty(j => j.LockedBy, (string?)null), ct);
            }
            sent++;
        }
        return sent;
    }

    TimeSpan RetryDelay(int attempts)
    {
        var delay = Options.FirstRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        return delay > Options.MaxRetryDelay ? Options.MaxRetryDelay : delay;
    }

    /// <summary>POSTs the result; null on a 2xx, otherwise what went wrong (never the body, which is the caller's data).</summary>
    async Task<string?> PostAsync(string url, string body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.CallbackTimeout);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.CreateClient(WebhookHttp.ClientName).PostAsync(url, content, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "timed out";
        }
        catch (HttpRequestException e)
        {
            return e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        }
    }
}
