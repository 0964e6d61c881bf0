using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;
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
            // Chunked: the freezer sets the exact count as of its snapshot a moment later.
            var count = chunked
                ? await db.Subscribers.CountAsync(s => s.AccountId == b.AccountId && s.State == SubscriberStates.Active, ct)
                : await RecipientSql.FreezeAsync(db, b.AccountId, b.Id, ct);
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
        Func<FreezeProgress, CancellationToken, Task>? freeze = null;
        if (template.Freezing)
        {
            var freezer = new RecipientFreezer(scopes, Options.FreezeChunkSize, logger);
            freeze = (progress, token) => freezer.RunAsync(broadcastId, template.AccountId, progress, token);
        }
        var context = new BroadcastRunContext(Options, smtp.Value.MaxConnections, time,
            new RecipientReader(scopes, time, Options, _instance), SendOne, transport.OpenBulkSession, Compose, CommitAsync, freeze);
        var (accepted, drained) = await new BroadcastRun(context, template, ct).RunAsync(ct);
        if (drained) await FinishOrReleaseAsync(broadcastId, ct);
        return accepted;
    }

    SendOutcome SendOne(BroadcastTemplate template, BroadcastRun.Work work)
    {
        if (Compose(template, work) is not { } message) return SendOutcome.NotActive;
        // Disposed when done: MimeMessage has a finalizer, and 100,000 of them queued for it cost the GC dearly.
        using (message)
        {
            try
            {
                // Never cancelled: a send the relay may already have accepted would have an unknowable outcome.
                transport.Send(message);
                return SendOutcome.Sent;
            }
            catch (MailDeliveryException e)
            {
                return SendOutcome.Of(e);
            }
        }
    }

    // Someone who unsubscribed (or bounced) after the list was frozen gets nothing.
    MimeKit.MimeMessage? Compose(BroadcastTemplate template, BroadcastRun.Work work) =>
        work.Subscriber is { State: SubscriberStates.Active } subscriber ? composer.ComposeBroadcast(template, subscriber, work.Token) : null;

    /// <summary>
    /// Commits a group of outcomes in one transaction: the accepted ones (nearly all) in one set-based UPDATE,
    /// the rest row by row as before, then the broadcast's counters and checkpoint.
    /// </summary>
    async Task<int> CommitAsync(LoadedTemplate loaded, List<BroadcastRun.Done> group, RecipientCursor cursor)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var id = loaded.Template.BroadcastId;
        var now = time.UtcNow();
        var sentIds = group.Where(d => d.Outcome.Kind == SendOutcomeKind.Sent).Select(d => d.RecipientId).ToList();
        var others = group.Where(d => d.Outcome.Kind != SendOutcomeKind.Sent).ToDictionary(d => d.RecipientId, d => d.Outcome);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        if (sentIds.Count > 0)
            await db.BroadcastRecipients.Where(r => sentIds.Contains(r.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.SentAt, now).SetProperty(r => r.Attempts, r => r.Attempts + 1), CancellationToken.None);
        var failed = 0;
        if (others.Count > 0)
        {
            var otherIds = others.Keys.ToList();
            foreach (var r in await db.BroadcastRecipients.Where(r => otherIds.Contains(r.Id)).ToListAsync(CancellationToken.None))
                failed += Apply(db, loaded.AccountId, r, others[r.Id], now) ? 1 : 0;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        var checkpoint = cursor.Committed(group.Select(d => d.RecipientId));
        await db.Broadcasts.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.SentCount, b => b.SentCount + sentIds.Count)
            .SetProperty(b => b.FailedCount, b => b.FailedCount + failed)
            .SetProperty(b => b.LastRecipientId, b => b.LastRecipientId > checkpoint ? b.LastRecipientId : checkpoint), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return sentIds.Count;
    }

    /// <returns>True when the recipient is now failed for good.</returns>
    bool Apply(AppDbContext db, long accountId, BroadcastRecipient r, SendOutcome outcome, DateTime now)
    {
        r.Attempts++;
        r.LastError = Truncate(outcome.Error);
        switch (outcome.Kind)
        {
            case SendOutcomeKind.Transient when r.Attempts < Options.MaxAttempts:
                r.NextAttemptAt = now + Options.RetryDelay * Math.Pow(2, r.Attempts - 1);
                return false;
            case SendOutcomeKind.Bounced:
                r.Bounced = true;
                MarkBounced(db, accountId, r.SubscriberId, now);
                break;
        }
        r.FailedAt = now;
        return true;
    }

    void MarkBounced(AppDbContext db, long accountId, long subscriberId, DateTime now)
    {
        var subscriber = db.Subscribers.Local.FirstOrDefault(s => s.Id == subscriberId) ?? db.Subscribers.Find(subscriberId);
        if (subscriber is null || subscriber.AccountId != accountId || subscriber.State == SubscriberStates.Bounced) return;
        subscriber.State = SubscriberStates.Bounced;
        subscriber.UpdatedAt = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        db.Raise(time, accountId, OutboxEvents.SubscriberBounce, subscriber: subscriber);
    }

    async Task FinishOrReleaseAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var pending = await db.BroadcastRecipients.AnyAsync(r => r.BroadcastId == id && r.SentAt == null && r.FailedAt == null, ct);
        var now = time.UtcNow();
        if (pending)
        {
            // Only retries remain, each waiting for its time: let go and come back on a later pass.
            await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == _instance)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
            return;
        }
        await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == _instance && !b.Freezing)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Completed).SetProperty(b => b.CompletedAt, now)
                .SetProperty(b => b.LockedUntil, (DateTime?)null).SetProperty(b => b.LockedBy, (string?)null), ct);
        logger.LogInformation("Broadcast {BroadcastId} completed", id);
    }

    async Task<LoadedTemplate?> LoadTemplateAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await BroadcastTemplates.LoadAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), id, ct);
    }

    static string? Truncate(string? s) => s is { Length: > 500 } ? s[..500] : s;
}

/// <summary>A batch stopped for a reason beyond one message; everything accepted before it was committed.</summary>
public sealed class BroadcastInterruptedException(long broadcastId, Exception inner)
    : Exception($"Broadcast {broadcastId} was interrupted: {inner.Message}", inner);
