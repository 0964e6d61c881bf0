using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;
using Mailroom.Server.Domain.Subscribers;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Options;
using Mailroom.Server.Delivery.Mail;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>
/// Sends broadcasts. The database is the queue (as in listmonk): one scan starts scheduled broadcasts
/// whose time has come and continues those already sending. A broadcast is claimed with a lease
/// (locked_until + locked_by) so two processes on one database never send it at the same time, and
/// each batch of recipients is committed as soon as the relay has accepted it, so a restart resumes
/// without resending accepted messages or skipping any.
/// </summary>
public sealed class BroadcastSender(
    IServiceScopeFactory scopes, IMailTransport transport, MessageComposer composer, TimeProvider time,
    IOptions<DeliveryOptions> options, SendBudget budget, ILogger<BroadcastSender> logger)
{
    readonly SendRunParts _parts = new(options.Value, time, transport, composer);
    readonly RecipientReader _reader = new(scopes, time, options.Value, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
    readonly OutcomeCommitter _committer = new(scopes, time, options.Value);
    /// <summary>This process's name on the leases it holds.</summary>
    string Instance => _reader.Instance;
    DeliveryOptions Options => options.Value;

    /// <summary>
    /// One pass: start due broadcasts and send every claimable one, each in a run of its own alongside the others, so one
    /// account's long or slow broadcast never holds up another's. Broadcasts that become due or claimable meanwhile join
    /// in (looked for whenever a run ends and every Delivery:PollInterval); each runs at most once a pass. Returns the
    /// messages accepted. A run that fails leaves the others to finish; then the first failure is thrown.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        // The relay's rate limit is on the whole server, so concurrent runs (sequence steps' too) share the throttle.
        var throttle = budget.Throttle;
        var running = new List<Task<int>>();
        var seen = new HashSet<long>();
        var sent = 0;
        ExceptionDispatchInfo? failure = null;
        try
        {
            while (true)
            {
                await StartDueAsync(ct);
                var claimed = new List<long>();
                foreach (var id in await ClaimableAsync(ct))
                    if (seen.Add(id) && await TryClaimAsync(id, ct)) claimed.Add(id);
                // inferred: connections are shared out as runs start; a run already going keeps its threads (its sessions
                // hold their connections), and a newcomer without a free one takes turns on the shared MailKit connection.
                var runs = running.Count + claimed.Count + budget.SequenceRuns;
                for (var i = 0; i < claimed.Count; i++)
                {
                    var share = budget.MaxConnections / runs + (i < budget.MaxConnections % runs ? 1 : 0);
                    running.Add(SendAsync(claimed[i], Math.Max(1, share), throttle, ct));
                }
                if (running.Count == 0)
                {
                    failure?.Throw();
                    return sent;
                }

                using (var poll = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    // Real time, not the app's clock: this paces the pass's look for newly due broadcasts; nothing is stamped with it.
                    await Task.WhenAny(Task.WhenAny(running), Task.Delay(Options.PollInterval, poll.Token));
                    await poll.CancelAsync();
                }
                foreach (var run in running.Where(t => t.IsCompleted).ToList())
                {
                    running.Remove(run);
                    if (run.IsCompletedSuccessfully) sent += run.Result;
                    else if (failure is null) failure = ExceptionDispatchInfo.Capture(run.Exception?.InnerException ?? new OperationCanceledException(ct));
                    else logger.LogError(run.Exception, "A broadcast run failed alongside another");
                }
            }
        }
        finally
        {
            // Never leave a run behind: its threads and lease belong to this pass.
            await ((Task)Task.WhenAll(running)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    async Task StartDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var due = await db.Broadcasts.AsNoTracking()
            .Where(b => b.Status == BroadcastStatuses.Scheduled && b.SendAt != null && b.SendAt <= now)
            .OrderBy(b => b.SendAt).Select(b => new { b.Id, b.AccountId, b.SubscriberFilter }).ToListAsync(ct);
        // PostgreSQL writes the list in chunks alongside the first sends (RecipientFreezer); SQLite, with one writer and a
        // freeze a fraction as long, in the same transaction as the status.
        var chunked = db.Database.IsNpgsql();
        foreach (var b in due)
        {
            // Flipping the status and freezing the list (or marking it as being frozen) commit together.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var flipped = await db.Broadcasts.Where(x => x.Id == b.Id && x.Status == BroadcastStatuses.Scheduled)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, BroadcastStatuses.Sending).SetProperty(x => x.StartedAt, now)
                    .SetProperty(x => x.Freezing, chunked), ct);
            if (flipped == 0) continue;
            var filter = BroadcastFilter.FromStored(b.SubscriberFilter);
            // Chunked: the freezer sets the exact count as of its snapshot a moment later.
            var count = chunked
                ? await RecipientSql.CountAsync(db, b.AccountId, filter, ct)
                : await RecipientSql.FreezeAsync(db, b.AccountId, b.Id, filter, ct);
            await db.Broadcasts.Where(x => x.Id == b.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RecipientCount, count), ct);
            await tx.CommitAsync(ct);
            logger.LogInformation("Broadcast {BroadcastId} started: {Recipients} recipients", b.Id, count);
        }
    }

    async Task<List<long>> ClaimableAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        return await db.Broadcasts.AsNoTracking()
            .Where(b => b.Status == BroadcastStatuses.Sending && (b.LockedUntil == null || b.LockedUntil < now || b.LockedBy == Instance))
            .OrderBy(b => b.Id).Select(b => b.Id).ToListAsync(ct);
    }

    async Task<bool> TryClaimAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var until = now + Options.Lease;
        return await db.Broadcasts
            .Where(b => b.Id == id && b.Status == BroadcastStatuses.Sending && (b.LockedUntil == null || b.LockedUntil < now || b.LockedBy == Instance))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, until).SetProperty(b => b.LockedBy, Instance), ct) == 1;
    }

    async Task<int> SendAsync(long broadcastId, int connections, SendThrottle? throttle, CancellationToken ct)
    {
        // Off the caller's thread at once: the pass starts the next run while this one loads.
        await Task.Yield();
        using var counted = budget.Broadcast();
        var template = await LoadTemplateAsync(broadcastId, ct);
        if (template is null) return 0;
        var freezer = template.Freezing ? new RecipientFreezer(scopes, Options.FreezeChunkSize, logger) : null;
        var run = new SendRun(_parts, new BroadcastFeed(_reader, _committer, template), connections,
            freezer is null ? null : (progress, stop) => freezer.RunAsync(broadcastId, template.AccountId, template.Filter, progress, stop), throttle, ct);
        var (accepted, drained, templateFailure) = await run.RunAsync(ct);
        if (templateFailure is not null) await FailAsync(broadcastId, templateFailure, ct);
        else if (drained) await FinishOrReleaseAsync(broadcastId, ct);
        return accepted;
    }

    /// <summary>
    /// A broadcast whose template broke a render limit: failed, with why, and let go. Only <see cref="BroadcastStatuses.Sending"/>
    /// is ever claimed, so nothing picks it up again; recipients not yet sent stay unsent.
    /// </summary>
    async Task FailAsync(long id, string reason, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var stored = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
        await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Failed).SetProperty(b => b.FailureReason, stored)
                .SetProperty(b => b.CompletedAt, now).SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
        logger.LogWarning("Broadcast {BroadcastId} failed: {Reason}", id, reason);
    }

    /// <summary>The column's length (Broadcast.FailureReason).</summary>
    const int MaxReasonLength = 500;

    async Task FinishOrReleaseAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var pending = await db.BroadcastRecipients.AnyAsync(r => r.BroadcastId == id && r.SentAt == null && r.FailedAt == null, ct);
        var now = time.UtcNow();
        if (pending)
        {
            // Only retries remain, each waiting for its time: let go and come back on a later pass.
            await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == Instance)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
            return;
        }
        await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == Instance && !b.Freezing)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Completed).SetProperty(b => b.CompletedAt, now)
                .SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
        logger.LogInformation("Broadcast {BroadcastId} completed", id);
    }

    async Task<LoadedTemplate?> LoadTemplateAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await BroadcastTemplates.LoadAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), id, ct);
    }
}

/// <summary>A batch stopped for a reason beyond one message; everything accepted before it was committed.</summary>
public sealed class BroadcastInterruptedException(string what, Exception inner)
    : Exception($"{what} was interrupted: {inner.Message}", inner);
