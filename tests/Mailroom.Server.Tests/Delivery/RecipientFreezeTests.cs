using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Mailroom.Server.Delivery.Broadcasts;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// The recipient list: on PostgreSQL written in chunks alongside the first sends (RecipientFreezer), all chunks as of
/// one snapshot; a freeze cut short carries on after the last subscriber it wrote.
/// </summary>
public sealed class RecipientFreezeTests
{
    static Dictionary<string, string?> Settings(SmtpSink sink, int chunk)
    {
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Delivery:FreezeChunkSize"] = chunk.ToString();
        return settings;
    }

    static void AssertEachOnce(SmtpSink sink, IEnumerable<string> addresses)
    {
        var received = sink.Messages.GroupBy(m => m.To.Mailboxes.Single().Address).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(addresses.Order(), received.Keys.Order());
        Assert.All(received, r => Assert.Equal(1, r.Value));
    }

    [Theory, Providers]
    public async Task SendBroadcast_ListFrozenInChunks_HasEveryActiveSubscriberOnceInIdOrder(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, Settings(sink, chunk: 4));
        var account = await app.CreateAccountAsync();
        var active = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var cancelled = i is 3 or 17;
            await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}", cancelled ? SubscriberStates.Cancelled : SubscriberStates.Active);
            if (!cancelled) active.Add($"s{i}@example.com");
        }
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

        Assert.Equal(23, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        AssertEachOnce(sink, active);
        var rows = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id)
            .OrderBy(r => r.Id).Select(r => r.SubscriberId).ToListAsync());
        Assert.Equal(rows.Order(), rows);
        var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal((BroadcastStatuses.Completed, 23, 23, false), (broadcast.Status, broadcast.RecipientCount, broadcast.SentCount, broadcast.Freezing));
    }

    [Theory, Providers]
    public async Task SendBroadcast_FreezeCutShortByACrash_CarriesOnAfterTheLastFrozenSubscriber(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, Settings(sink, chunk: 3));
        var account = await app.CreateAccountAsync();
        var subscribers = new List<long>();
        for (var i = 0; i < 12; i++) subscribers.Add(await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}"));
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        // What a process that died after writing the first five leaves behind: sending, still freezing, no lease.
        await app.DbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            foreach (var s in subscribers.Take(5))
                db.BroadcastRecipients.Add(new BroadcastRecipient { AccountId = account.Id, BroadcastId = id, SubscriberId = s, Token = $"t{s}" });
            await db.SaveChangesAsync();
            await db.Broadcasts.Where(b => b.Id == id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Sending)
                .SetProperty(b => b.StartedAt, now).SetProperty(b => b.Freezing, true).SetProperty(b => b.RecipientCount, 12));
        });

        Assert.Equal(12, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        AssertEachOnce(sink, Enumerable.Range(0, 12).Select(i => $"s{i}@example.com"));
        Assert.Equal(12, await app.DbAsync(db => db.BroadcastRecipients.CountAsync(r => r.BroadcastId == id)));
        var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal((BroadcastStatuses.Completed, 12, 12, false), (broadcast.Status, broadcast.RecipientCount, broadcast.SentCount, broadcast.Freezing));
    }

    /// <summary>
    /// The freeze is held up by a table lock after it has taken its snapshot; meanwhile one subscriber becomes active
    /// and another unsubscribes. Every chunk is written as of the snapshot, so the list is who was active before.
    /// </summary>
    [Fact]
    public async Task SendBroadcast_OnPostgres_EveryChunkSeesTheMomentTheFreezeBegan()
    {
        if (TestDatabase.PostgresConnectionString is null) return;
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(DatabaseOptions.Postgres, Settings(sink, chunk: 2));
        var account = await app.CreateAccountAsync();
        var ids = new List<long>();
        for (var i = 0; i < 10; i++)
            ids.Add(await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}", i == 8 ? SubscriberStates.Inactive : SubscriberStates.Active));
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        var connectionString = await app.DbAsync(db => Task.FromResult(db.Database.GetConnectionString()!));

        await using var blocker = new NpgsqlConnection(connectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE broadcast_recipients IN SHARE MODE", blocker, hold)) await lockTable.ExecuteNonQueryAsync();

        var sending = Task.Run(() => app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));
        await WaitForBlockedInsertAsync(connectionString, sending);
        await app.DbAsync(db => db.Subscribers.Where(s => s.Id == ids[8]).ExecuteUpdateAsync(s => s.SetProperty(x => x.State, SubscriberStates.Active)));
        await app.DbAsync(db => db.Subscribers.Where(s => s.Id == ids[9]).ExecuteUpdateAsync(s => s.SetProperty(x => x.State, SubscriberStates.Cancelled)));
        await hold.CommitAsync();

        await sending;
        // s8 was not active at the moment; s9 was, so it is on the list, but it is skipped as no longer active.
        AssertEachOnce(sink, Enumerable.Range(0, 8).Select(i => $"s{i}@example.com"));
        var listed = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id).Select(r => r.SubscriberId).ToListAsync());
        Assert.Equal(ids.Where((_, i) => i != 8).Order(), listed.Order());
        var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal((BroadcastStatuses.Completed, 9, 8, 1), (broadcast.Status, broadcast.RecipientCount, broadcast.SentCount, broadcast.FailedCount));
    }

    /// <summary>Until an INSERT into broadcast_recipients waits for the test's lock, i.e. the snapshot has been taken.</summary>
    static async Task WaitForBlockedInsertAsync(string connectionString, Task sending)
    {
        await using var watcher = new NpgsqlConnection(connectionString);
        await watcher.OpenAsync();
        // Polls until the freeze blocks; only a hung test reaches the guard.
        using var guard = new CancellationTokenSource(Eventually.Guard);
        while (!sending.IsCompleted && !guard.IsCancellationRequested)
        {
            await using var query = new NpgsqlCommand("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO broadcast_recipients%'
                """, watcher);
            if ((long)(await query.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("the freeze never reached its first INSERT" + (sending.IsFaulted ? $": {sending.Exception}" : ""));
    }
}
