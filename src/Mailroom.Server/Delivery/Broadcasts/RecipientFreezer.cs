using System.Data;
using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>
/// PostgreSQL: writes a broadcast's recipient list in chunks while the first messages already go out. As one
/// statement, freezing 100,000 recipients took 3–4 s of a ~20 s broadcast with nothing sent and one core idle
/// (bench/findings.md). The list is still "every subscriber active at that moment": one repeatable read
/// transaction, held open for the freeze, exports its snapshot, and every chunk's transaction imports it
/// (pg_export_snapshot / SET TRANSACTION SNAPSHOT), so all chunks see the database as of that one instant.
/// A v4 <c>subscriber_filter</c> narrows every chunk to the matching subscribers, judged in that same snapshot.
///
/// Chunks go in subscriber id order, so a freeze cut short (a crash, a lost lease) carries on after the highest
/// subscriber already on the list. That resumed part is as of its own, later moment: the one place the list can
/// differ from the subscribers active when sending started.
/// </summary>
sealed class RecipientFreezer(IServiceScopeFactory scopes, int chunkSize, ILogger logger)
{
    public async Task RunAsync(long broadcastId, long accountId, BroadcastFilter? filter, FreezeProgress progress, CancellationToken ct)
    {
        await using var exporting = scopes.CreateAsyncScope();
        var exporter = exporting.ServiceProvider.GetRequiredService<AppDbContext>();
        if (!exporter.Database.IsNpgsql())
        {
            await FinishInOneAsync(exporter, broadcastId, accountId, filter, ct);
            progress.Advanced();
            return;
        }
        await using (var snapshotTx = await exporter.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
        {
            var snapshot = await RecipientSql.ExportSnapshotAsync(exporter, ct);
            var frozen = exporter.BroadcastRecipients.Where(r => r.BroadcastId == broadcastId);
            var already = await frozen.CountAsync(ct);
            var after = await frozen.MaxAsync(r => (long?)r.SubscriberId, ct) ?? 0;
            var (ends, remaining) = await RecipientSql.ChunksAsync(exporter, accountId, filter, after, chunkSize, ct);
            await SetCountAsync(broadcastId, already + remaining, ct);
            logger.LogInformation("Broadcast {BroadcastId}: freezing {Recipients} recipients in chunks of {Chunk}", broadcastId, remaining, chunkSize);

            var chunk = 0;
            foreach (var through in ends.Append(long.MaxValue))
            {
                await FreezeChunkAsync(snapshot, broadcastId, accountId, filter, after, through, analyze: chunk++ == 0, ct);
                progress.Advanced();
                after = through;
            }
            await snapshotTx.RollbackAsync(ct);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Broadcasts.Where(b => b.Id == broadcastId).ExecuteUpdateAsync(s => s.SetProperty(b => b.Freezing, false), ct);
        // The statistics taken after the first chunk saw a fraction of the list; the reads are planned from them.
        await RecipientSql.AnalyzeAsync(db, ct);
    }

    /// <summary>
    /// SQLite never freezes in chunks (BroadcastSender.StartDueAsync), but a list marked as being frozen is finished the
    /// same way: the rest in one transaction, which on a database with one writer is one moment.
    /// </summary>
    static async Task FinishInOneAsync(AppDbContext db, long broadcastId, long accountId, BroadcastFilter? filter, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var frozen = db.BroadcastRecipients.Where(r => r.BroadcastId == broadcastId);
        var after = await frozen.MaxAsync(r => (long?)r.SubscriberId, ct) ?? 0;
        await RecipientSql.FreezeRangeAsync(db, accountId, broadcastId, filter, after, long.MaxValue, ct);
        var count = await frozen.CountAsync(ct);
        await db.Broadcasts.Where(b => b.Id == broadcastId)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.RecipientCount, count).SetProperty(b => b.Freezing, false), ct);
        await tx.CommitAsync(ct);
    }

    async Task SetCountAsync(long broadcastId, int count, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Broadcasts.Where(b => b.Id == broadcastId).ExecuteUpdateAsync(s => s.SetProperty(b => b.RecipientCount, count), ct);
    }

    async Task FreezeChunkAsync(string snapshot, long broadcastId, long accountId, BroadcastFilter? filter, long after, long through, bool analyze, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using (var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
        {
            await RecipientSql.ImportSnapshotAsync(db, snapshot, ct);
            await RecipientSql.FreezeRangeAsync(db, accountId, broadcastId, filter, after, through, ct);
            await tx.CommitAsync(ct);
        }
        // Without statistics PostgreSQL guesses a few dozen rows and plans every read as a scan and sort of the rest.
        if (analyze) await RecipientSql.AnalyzeAsync(db, ct);
    }
}

/// <summary>How far a freeze running alongside the senders has got, for the reader to wait on when it catches up.</summary>
sealed class FreezeProgress
{
    int _version;
    TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The freeze itself; set once it has started.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;
    public int Version => Volatile.Read(ref _version);

    public void Advanced()
    {
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _advanced, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Returns once a chunk after <paramref name="seen"/> is in or the freeze has ended (either way).</summary>
    public async Task WaitAsync(int seen, CancellationToken ct)
    {
        var advanced = Volatile.Read(ref _advanced).Task;
        if (Version != seen || Completion.IsCompleted) return;
        await Task.WhenAny(advanced, Completion).WaitAsync(ct);
    }
}
