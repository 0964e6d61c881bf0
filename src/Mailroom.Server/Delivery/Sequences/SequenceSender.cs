using Mailroom.Server.Domain;
using Microsoft.Extensions.Options;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Delivery.Sequences;

/// <summary>
/// Sends the sequence steps the <see cref="SequenceScheduler"/> writes, through the broadcasts' pipeline
/// (<see cref="SendRun"/>): the same transports and pipelined SMTP sessions, Liquid, layouts, tracking, unsubscribe
/// headers, retries and bounce handling. A pass runs while steps keep falling due, so a send hour at which 100,000
/// subscribers fall due is one run fed as the scheduler writes them.
///
/// Crash window, as for broadcasts: a step counts as sent once its outcome is committed; only the steps accepted by
/// the relay but not yet committed (a commit group, the outcome queue, one message per connection) can go out twice
/// after a kill -9, once their lease has run out. Nothing is skipped: an unsent step stays pending until sent.
/// </summary>
public sealed class SequenceSender(IServiceScopeFactory scopes, IMailTransport transport, MessageComposer composer, TimeProvider time,
    IOptions<DeliveryOptions> options, SendBudget budget)
{
    readonly SendRunParts _parts = new(options.Value, time, transport, composer);
    readonly OutcomeCommitter _outcomes = new(scopes, time, options.Value);
    readonly string _instance = $"{Environment.ProcessId}-{Guid.NewGuid():N}";

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        // The idle pass: one probe of the pending index, before any thread is started for a run.
        if (!await AnyClaimableAsync(ct)) return 0;
        using var counted = budget.Sequence();
        // Broadcasts going on keep their share of the connections; a broadcast starting meanwhile counts this run.
        var connections = Math.Max(1, budget.MaxConnections / (1 + budget.BroadcastRuns));
        var feed = new SequenceFeed(scopes, time, options.Value, _instance, _outcomes);
        var run = new SendRun(_parts, feed, connections, null, budget.Throttle, ct);
        var (accepted, _, _) = await run.RunAsync(ct);
        return accepted;
    }

    async Task<bool> AnyClaimableAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        return await SequenceFeed.Claimable(db, now).AnyAsync(ct);
    }
}
