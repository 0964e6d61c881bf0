using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Delivery;

/// <summary>
/// Reads a claimed broadcast's recipients ahead of the senders, renewing the lease on every read. Two in-memory
/// cursors (the forward walk, then the due retries) make sure no recipient is handed out twice in one run even
/// though outcomes are committed later, asynchronously.
/// </summary>
sealed class RecipientReader(IServiceScopeFactory scopes, TimeProvider time, DeliveryOptions options, string instance)
{
    public sealed class Pass(long broadcastId, long checkpoint)
    {
        public long BroadcastId { get; } = broadcastId;
        public long Forward { get; set; } = checkpoint;
        public long Retry { get; set; }
        public bool Retrying { get; set; }
    }

    public async Task<Pass> StartAsync(long broadcastId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var checkpoint = await db.Broadcasts.Where(b => b.Id == broadcastId).Select(b => b.LastRecipientId).FirstAsync(ct);
        return new Pass(broadcastId, checkpoint);
    }

    /// <returns>The next recipients, empty when there is nothing more to do now, null when the lease was lost.</returns>
    public async Task<List<BroadcastRun.Work>?> NextAsync(Pass pass, long accountId, int size, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var id = pass.BroadcastId;
        var now = time.UtcNow();
        if (await db.Broadcasts.Where(b => b.Id == id && b.LockedBy == instance)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LockedUntil, now + options.Lease), ct) == 0)
            return null; // someone else carries on

        var rows = pass.Retrying ? [] : await ReadForwardAsync(db, pass, size, ct);
        if (rows.Count == 0)
        {
            pass.Retrying = true;
            var after = pass.Retry;
            rows = await db.BroadcastRecipients.AsNoTracking()
                .Where(r => r.BroadcastId == id && r.Id > after && r.SentAt == null && r.FailedAt == null && r.NextAttemptAt != null && r.NextAttemptAt <= now)
                .OrderBy(r => r.Id).Take(size).Select(r => new Row(r.Id, r.SubscriberId, r.Token)).ToListAsync(ct);
            if (rows.Count > 0) pass.Retry = rows[^1].Id;
        }
        if (rows.Count == 0) return [];

        var views = await SubscriberViews.LoadAsync(db, accountId, [.. rows.Select(r => r.SubscriberId)], ct);
        return [.. rows.Select(r => new BroadcastRun.Work(r.Id, r.SubscriberId, r.Token, views.GetValueOrDefault(r.SubscriberId)))];
    }

    static async Task<List<Row>> ReadForwardAsync(AppDbContext db, Pass pass, int size, CancellationToken ct)
    {
        var (id, after) = (pass.BroadcastId, pass.Forward);
        var rows = await db.BroadcastRecipients.AsNoTracking()
            .Where(r => r.BroadcastId == id && r.Id > after && r.SentAt == null && r.FailedAt == null && r.NextAttemptAt == null)
            .OrderBy(r => r.Id).Take(size).Select(r => new Row(r.Id, r.SubscriberId, r.Token)).ToListAsync(ct);
        if (rows.Count > 0) pass.Forward = rows[^1].Id;
        return rows;
    }

    sealed record Row(long Id, long SubscriberId, string Token);
}
