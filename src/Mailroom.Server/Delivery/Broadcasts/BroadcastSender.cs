using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain;
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
    readonly BroadcastRunParts _parts = new(options.Value, time,
        new RecipientReader(scopes, time, options.Value, $"{Environment.ProcessId}-{Guid.NewGuid():N}"),
        transport, composer, new OutcomeCommitter(scopes, time, options.Value));
    /// <summary>This process's name on the leases it holds.</summary>
    string Instance => _parts.Reader.Instance;
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

    async Task<int> SendAsync(long broadcastId, CancellationToken ct)
    {
        var template = await LoadTemplateAsync(broadcastId, ct);
        if (template is null) return 0;
        var freezer = template.Freezing ? new RecipientFreezer(scopes, Options.FreezeChunkSize, logger) : null;
        var run = new BroadcastRun(_parts, template, smtp.Value.MaxConnections, freezer, ct);
        var (accepted, drained) = await run.RunAsync(ct);
        if (drained) await FinishOrReleaseAsync(broadcastId, ct);
        return accepted;
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
public sealed class BroadcastInterruptedException(long broadcastId, Exception inner)
    : Exception($"Broadcast {broadcastId} was interrupted: {inner.Message}", inner);
