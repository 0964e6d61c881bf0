using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Delivery;

/// <summary>
/// Sends broadcasts. The database is the queue (as in listmonk): one scan starts scheduled broadcasts
/// whose time has come and continues those already sending. A broadcast is claimed with a lease
/// (locked_until + locked_by) so two processes on one database never send it at the same time, and
/// each batch of recipients is committed as soon as the relay has accepted it, so a restart resumes
/// without resending accepted messages or skipping any.
/// </summary>
public sealed class BroadcastSender(
    IServiceScopeFactory scopes, IMailTransport transport, MessageComposer composer, TimeProvider time,
    IOptions<DeliveryOptions> options, IOptions<SmtpOptions> smtp, ILogger<BroadcastSender> logger)
{
    readonly string _instance = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    DeliveryOptions Options => options.Value;

    /// <summary>One pass: start due broadcasts, then send what is claimable. Returns messages accepted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await StartDueAsync(ct);
        var sent = 0;
        foreach (var id in await ClaimableAsync(ct))
            if (await TryClaimAsync(id, ct))
                sent += await SendAsync(id, ct);
        return sent;
    }

    async Task StartDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var due = await db.Broadcasts.AsNoTracking()
            .Where(b => b.Status == BroadcastStatuses.Scheduled && b.SendAt != null && b.SendAt <= now)
            .OrderBy(b => b.SendAt).Select(b => new { b.Id, b.AccountId }).ToListAsync(ct);
        foreach (var b in due)
        {
            // Freezing the list and flipping the status commit together: "sending" always has its recipients.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var flipped = await db.Broadcasts.Where(x => x.Id == b.Id && x.Status == BroadcastStatuses.Scheduled)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, BroadcastStatuses.Sending).SetProperty(x => x.StartedAt, now), ct);
            if (flipped == 0) continue;
            var count = await RecipientSql.FreezeAsync(db, b.AccountId, b.Id, ct);
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
            .Where(b => b.Status == BroadcastStatuses.Sending && (b.LockedUntil == null || b.LockedUntil < now || b.LockedBy == _instance))
            .OrderBy(b => b.Id).Select(b => b.Id).ToListAsync(ct);
    }

    async Task<bool> TryClaimAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var until = now + Options.Lease;
        return await db.Broadcasts
            .Where(b => b.Id == id && b.Status == BroadcastStatuses.Sending && (b.LockedUntil == null || b.LockedUntil < now || b.LockedBy == _instance))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, until).SetProperty(b => b.LockedBy, _instance), ct) == 1;
    }

    async Task<int> SendAsync(long broadcastId, CancellationToken ct)
    {
        var template = await LoadTemplateAsync(broadcastId, ct);
        if (template is null) return 0;
        var total = 0;
        var started = time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            var batch = await SendBatchAsync(template, ct);
            if (batch is null) break;
            total += batch.Value;
            await ThrottleAsync(total, started, ct);
        }
        return total;
    }

    /// <returns>Messages accepted in this batch, or null when the broadcast needs no more work now.</returns>
    async Task<int?> SendBatchAsync(LoadedTemplate loaded, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var id = loaded.Template.BroadcastId;
        var now = time.UtcNow();
        if (await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == _instance)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, now + Options.Lease), ct) == 0)
            return null; // lease lost: someone else carries on

        // First pass: rows past the checkpoint, walking the (broadcast_id, id) index forward so each batch costs
        // the same at recipient 1,000,000 as at recipient 1. Only when that is done, the due retries.
        var checkpoint = await db.Broadcasts.Where(b => b.Id == id).Select(b => b.LastRecipientId).FirstAsync(ct);
        var batch = await db.BroadcastRecipients
            .Where(r => r.BroadcastId == id && r.Id > checkpoint && r.SentAt == null && r.FailedAt == null && r.NextAttemptAt == null)
            .OrderBy(r => r.Id).Take(Options.BatchSize).ToListAsync(ct);
        if (batch.Count == 0)
            batch = await db.BroadcastRecipients
                .Where(r => r.BroadcastId == id && r.SentAt == null && r.FailedAt == null && r.NextAttemptAt != null && r.NextAttemptAt <= now)
                .OrderBy(r => r.Id).Take(Options.BatchSize).ToListAsync(ct);
        if (batch.Count == 0)
        {
            await FinishOrReleaseAsync(db, id, ct);
            return null;
        }

        var views = await SubscriberViews.LoadAsync(db, loaded.AccountId, [.. batch.Select(r => r.SubscriberId)], ct);
        var outcomes = new Outcome?[batch.Count];
        var fatal = await SendAllAsync(loaded.Template, batch, views, outcomes, ct);

        var broadcast = await db.Broadcasts.FirstAsync(b => b.Id == id, CancellationToken.None);
        var accepted = Apply(db, loaded, broadcast, batch, outcomes, time.UtcNow());
        await db.SaveChangesAsync(CancellationToken.None);
        if (fatal is not null) throw new BroadcastInterruptedException(id, fatal);
        return accepted;
    }

    /// <summary>
    /// Sends a batch over up to MaxConnections parallel sessions. A failure that isn't about one message
    /// stops new sends but lets those in flight finish: cancelling a send the relay may already have
    /// accepted would make its outcome unknowable, and the restart would send it twice.
    /// </summary>
    async Task<Exception?> SendAllAsync(BroadcastTemplate template, List<BroadcastRecipient> batch,
        Dictionary<long, SubscriberView> views, Outcome?[] outcomes, CancellationToken ct)
    {
        Exception? fatal = null;
        using var slots = new SemaphoreSlim(Math.Max(1, smtp.Value.MaxConnections));
        var running = new List<Task>(batch.Count);
        for (var i = 0; i < batch.Count && Volatile.Read(ref fatal) is null; i++)
        {
            try { await slots.WaitAsync(ct); }
            catch (OperationCanceledException e) { fatal = e; break; }
            var index = i;
            running.Add(Task.Run(async () =>
            {
                try { outcomes[index] = await SendOneAsync(template, batch[index], views.GetValueOrDefault(batch[index].SubscriberId), ct); }
                catch (Exception e) { Interlocked.CompareExchange(ref fatal, e, null); }
                finally { slots.Release(); }
            }, CancellationToken.None));
        }
        await Task.WhenAll(running);
        return fatal;
    }

    async Task<Outcome> SendOneAsync(BroadcastTemplate template, BroadcastRecipient recipient, SubscriberView? subscriber, CancellationToken ct)
    {
        // Someone who unsubscribed (or bounced) after the list was frozen gets nothing.
        if (subscriber is null || subscriber.State != SubscriberStates.Active)
            return new Outcome(OutcomeKind.Skipped, "subscriber is no longer active");
        var message = composer.ComposeBroadcast(template, subscriber, recipient.Token);
        try
        {
            await transport.SendAsync(message, ct);
            return new Outcome(OutcomeKind.Sent, null);
        }
        catch (MailDeliveryException e)
        {
            return new Outcome(e.Bounce ? OutcomeKind.Bounced : e.Permanent ? OutcomeKind.Failed : OutcomeKind.Transient, e.Message);
        }
    }

    int Apply(AppDbContext db, LoadedTemplate loaded, Broadcast broadcast, List<BroadcastRecipient> batch, Outcome?[] outcomes, DateTime now)
    {
        int sent = 0, failed = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var r = batch[i];
            switch (outcomes[i])
            {
                case null: break; // never attempted: stays pending
                case { Kind: OutcomeKind.Sent }:
                    r.SentAt = now; r.Attempts++; sent++; break;
                case { Kind: OutcomeKind.Transient } o:
                    r.Attempts++; r.LastError = Truncate(o.Error);
                    if (r.Attempts >= Options.MaxAttempts) { r.FailedAt = now; failed++; }
                    else r.NextAttemptAt = now + Options.RetryDelay * Math.Pow(2, r.Attempts - 1);
                    break;
                case { Kind: OutcomeKind.Bounced } o:
                    r.Attempts++; r.FailedAt = now; r.Bounced = true; r.LastError = Truncate(o.Error); failed++;
                    MarkBounced(db, loaded.AccountId, r.SubscriberId, now);
                    break;
                case { } o:
                    r.Attempts++; r.FailedAt = now; r.LastError = Truncate(o.Error); failed++; break;
            }
        }
        var last = batch.Max(r => r.Id);
        broadcast.SentCount += sent;
        broadcast.FailedCount += failed;
        // The checkpoint never passes a row that wasn't tried (a batch cut short by a failure), or it would be skipped.
        var untried = batch.Where((r, i) => outcomes[i] is null).Select(r => r.Id).DefaultIfEmpty(long.MaxValue).Min();
        broadcast.LastRecipientId = Math.Max(broadcast.LastRecipientId, untried == long.MaxValue ? last : untried - 1);
        return sent;
    }

    void MarkBounced(AppDbContext db, long accountId, long subscriberId, DateTime now)
    {
        var subscriber = db.Subscribers.Local.FirstOrDefault(s => s.Id == subscriberId) ?? db.Subscribers.Find(subscriberId);
        if (subscriber is null || subscriber.AccountId != accountId || subscriber.State == SubscriberStates.Bounced) return;
        subscriber.State = SubscriberStates.Bounced;
        subscriber.UpdatedAt = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        db.Raise(time, accountId, OutboxEvents.SubscriberBounce, subscriber: subscriber);
    }

    async Task FinishOrReleaseAsync(AppDbContext db, long id, CancellationToken ct)
    {
        var pending = await db.BroadcastRecipients.AnyAsync(r => r.BroadcastId == id && r.SentAt == null && r.FailedAt == null, ct);
        var now = time.UtcNow();
        if (pending)
        {
            // Only retries remain, each waiting for its time: let go and come back on a later pass.
            await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == _instance)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
            return;
        }
        await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == _instance)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Completed).SetProperty(b => b.CompletedAt, now)
                .SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
        logger.LogInformation("Broadcast {BroadcastId} completed", id);
    }

    async Task<LoadedTemplate?> LoadTemplateAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await BroadcastTemplates.LoadAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), id, ct);
    }

    async Task ThrottleAsync(int sent, long startedTimestamp, CancellationToken ct)
    {
        if (Options.MessagesPerSecond <= 0) return;
        var due = TimeSpan.FromSeconds((double)sent / Options.MessagesPerSecond);
        var elapsed = time.GetElapsedTime(startedTimestamp);
        if (due > elapsed) await Task.Delay(due - elapsed, time, ct);
    }

    static string? Truncate(string? s) => s is { Length: > 500 } ? s[..500] : s;

    enum OutcomeKind { Sent, Transient, Failed, Bounced, Skipped }
    sealed record Outcome(OutcomeKind Kind, string? Error);
}

/// <summary>A batch stopped for a reason beyond one message; everything accepted before it was committed.</summary>
public sealed class BroadcastInterruptedException(long broadcastId, Exception inner)
    : Exception($"Broadcast {broadcastId} was interrupted: {inner.Message}", inner);
