using System.Diagnostics;
using System.Threading.Channels;
using MimeKit;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Delivery.Mail;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>
/// One run of sending, as a pipeline rather than batch by batch: a reader claims and loads recipients ahead from the
/// run's <see cref="ISendFeed"/> (a claimed broadcast's recipients, or due sequence steps), one loop per SMTP connection
/// composes and sends, and a committer writes the outcomes in groups as the relay accepts them. Nothing waits for the
/// slowest message of a batch.
///
/// Crash window: a message counts as sent once its outcome is committed. Accepted but not yet committed
/// are at most the group being committed plus the outcome queue (each <see cref="GroupsPerCommit"/> ×
/// <see cref="DeliveryOptions.BatchSize"/>)
/// plus one message in flight per connection; only those can be sent twice after a crash. Nothing is skipped:
/// the checkpoint never passes a recipient whose outcome isn't committed (<see cref="RecipientCursor"/>).
/// </summary>
sealed class SendRun
{
    /// <summary>How long the committer waits to fill a group; bounds how stale the database is at low rates.</summary>
    static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);
    static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    /// <summary>
    /// Outcomes are committed every <see cref="Linger"/>, or sooner once this many batches are waiting. A commit costs
    /// the same few statements and, on PostgreSQL, a WAL flush whatever its size, so groups of 64 made commits a
    /// quarter of a PostgreSQL broadcast's CPU and capped its rate at 64 per commit time.
    /// </summary>
    const int GroupsPerCommit = 4;
    /// <summary>
    /// Recipients claimed per read, in batches: reading further ahead resends nothing after a crash (unsent rows stay
    /// unsent), and on PostgreSQL each read is a few round trips, so reads of 64 cost a quarter of the send's CPU.
    /// </summary>
    const int BatchesPerRead = 4;

    readonly SendRunParts _ctx;
    readonly ISendFeed _feed;
    readonly int _connections;
    readonly Func<FreezeProgress, CancellationToken, Task>? _freezer;
    readonly SendThrottle? _throttle;
    readonly Channel<Work> _work;
    readonly Channel<Done> _done;
    // The reader tops the work queue up a read at a time once it has drained to _lowWater (so it holds at most that plus
    // one read, as the bounded channel did), rather than writing into a bounded channel that woke it (a thread-pool hop
    // and a context switch) every time a sender took one item.
    readonly SemaphoreSlim _drained = new(0);
    readonly int _lowWater;
    int _queued;
    readonly CancellationTokenSource _stop;
    readonly CancellationTokenSource _committerGone = new();
    Exception? _fatal;
    string? _templateFailure;
    FreezeProgress? _freeze;
    int _accepted;
    bool _leaseLost;

    /// <param name="connections">This run's share of Smtp:MaxConnections: one sender thread each.</param>
    /// <param name="freezer">The freeze still to finish alongside, if any (a broadcast's <see cref="RecipientFreezer"/>).</param>
    /// <param name="throttle">Delivery:MessagesPerSecond, shared with every run going on at the same time; null when unthrottled.</param>
    public SendRun(SendRunParts ctx, ISendFeed feed, int connections, Func<FreezeProgress, CancellationToken, Task>? freezer,
        SendThrottle? throttle, CancellationToken ct)
    {
        _ctx = ctx;
        _feed = feed;
        _connections = connections;
        _freezer = freezer;
        _throttle = throttle;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batch = ctx.Options.BatchSize;
        _lowWater = batch * 2;
        _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleWriter = true });
        _done = Channel.CreateBounded<Done>(new BoundedChannelOptions(batch * GroupsPerCommit) { SingleReader = true });
    }


    /// <summary>
    /// Sends until nothing is claimable now. Drained is false when the lease was lost (another process carries
    /// on, so this one must not finish or release the broadcast). TemplateFailure is set when the template broke a
    /// render limit: the run stopped and the broadcast is to fail with that reason.
    /// </summary>
    public async Task<(int Accepted, bool Drained, string? TemplateFailure)> RunAsync(CancellationToken ct)
    {
        if (_freezer is { } freezer)
        {
            _freeze = new FreezeProgress();
            _freeze.Completion = Task.Run(async () =>
            {
                try { await freezer(_freeze, _stop.Token); }
                catch (Exception e) when (Stop(e)) { throw; }
            }, CancellationToken.None);
        }
        var reader = Task.Run(ReadAsync, CancellationToken.None);
        // One thread per connection, blocking on its socket (see IMailTransport.Send), not the thread pool.
        var senders = Enumerable.Range(0, Math.Max(1, _connections))
            .Select(_ => Task.Factory.StartNew(SendLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        var committer = Task.Run(CommitLoopAsync, CancellationToken.None);

        // Each loop records its own failure in _fatal (Stop), so awaiting them only waits for them to end.
        await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_freeze is not null) await _freeze.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(senders).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _done.Writer.TryComplete();
        await committer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _committerGone.Dispose();
        _drained.Dispose();

        // A stop for a broken template makes every loop end with a cancellation, which is no failure of the run's own.
        if (_templateFailure is { } reason && !ct.IsCancellationRequested) return (_accepted, !_leaseLost, reason);
        if (_fatal is not null)
        {
            if (_fatal is OperationCanceledException && ct.IsCancellationRequested) ct.ThrowIfCancellationRequested();
            throw new BroadcastInterruptedException(_feed.Name, _fatal);
        }
        ct.ThrowIfCancellationRequested();
        return (_accepted, !_leaseLost, null);
    }

    bool Stop(Exception e)
    {
        Interlocked.CompareExchange(ref _fatal, e, null);
        _stop.Cancel();
        return false;
    }

    /// <summary>
    /// Claims recipients ahead of the senders: first the rows past the checkpoint, walking the (broadcast_id, id)
    /// index forward so each read costs the same at recipient 1,000,000 as at recipient 1; then the due retries.
    /// </summary>
    async Task ReadAsync()
    {
        try
        {
            var stop = _stop.Token;
            while (!stop.IsCancellationRequested)
            {
                // Whether the freeze has ended is looked at before the read, so a read after its end misses none of its chunks.
                var seen = _freeze?.Version ?? 0;
                var freezing = _freeze is { Completion.IsCompleted: false };
                var batch = await _feed.NextAsync(_ctx.Options.BatchSize * BatchesPerRead, freezing, stop);
                if (batch is null) { _leaseLost = true; break; }
                if (batch.Count == 0)
                {
                    if (!freezing) break;
                    await _freeze!.WaitAsync(seen, stop);
                    continue;
                }
                Interlocked.Add(ref _queued, batch.Count);
                foreach (var item in batch) _work.Writer.TryWrite(item);
                // A release left over from an earlier crossing only sends the loop round once more.
                while (Volatile.Read(ref _queued) > _lowWater) await _drained.WaitAsync(stop);
            }
        }
        catch (Exception e) when (Stop(e)) { throw; }
        finally { _work.Writer.TryComplete(); }
    }

    /// <summary>
    /// One connection's loop. With a bulk session (<see cref="IMailTransport.OpenBulkSession"/>) an outcome may come
    /// back with the next message, so the body held back is finished whenever the queue runs dry or a throttle is about
    /// to wait; on a stop it is dropped unsent (the server never saw its final dot) and its recipient stays unsent.
    /// </summary>
    void SendLoop()
    {
        IBulkMailSession? session = null;
        var bulk = true;
        var done = new List<Done>(4);
        var results = new List<BulkResult>(2);
        try
        {
            var stop = _stop.Token;
            while (Wait(_work.Reader.WaitToReadAsync(stop)))
            {
                while (_work.Reader.TryRead(out var item))
                {
                    if (Interlocked.Decrement(ref _queued) == _lowWater) _drained.Release();
                    if (_throttle?.Next() is { } due && _throttle.Until(due) > TimeSpan.Zero)
                    {
                        Finish(session, results, done);
                        // Measured again after finishing: the wait is to a point in time, and finishing took some of it.
                        if (_throttle.Until(due) is var wait && wait > TimeSpan.Zero)
                            Task.Delay(wait, _ctx.Time, stop).GetAwaiter().GetResult();
                    }
                    if (bulk && session is null)
                    {
                        try { session = _ctx.Transport.OpenBulkSession(); }
                        catch (MailDeliveryException e)
                        {
                            Report(done, new Done(item.RecipientId, SendOutcome.Of(e)));
                            continue;
                        }
                        bulk = session is not null;
                    }
                    if (session is null)
                    {
                        if (SendOne(item) is { } outcome) Report(done, new Done(item.RecipientId, outcome));
                    }
                    else SendOn(ref session, item, results, done);
                    if (stop.IsCancellationRequested) break;
                }
                if (stop.IsCancellationRequested) break;
                Finish(session, results, done);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested || _committerGone.IsCancellationRequested) { }
        catch (Exception e) when (Stop(e)) { throw; }
        finally { session?.Dispose(); }
    }

    void SendOn(ref IBulkMailSession? session, Work item, List<BulkResult> results, List<Done> done)
    {
        var (message, instead) = Compose(item);
        if (message is null)
        {
            if (instead is not null) Report(done, new Done(item.RecipientId, instead));
            return;
        }
        // Written out before Send returns; disposed at once (MimeMessage has a finalizer, see SendOne).
        using (message) session!.Send(message, item.RecipientId, results);
        Report(results, done);
        if (session.Broken)
        {
            session.Dispose();
            session = null;
        }
    }

    /// <summary>One message through the transport's shared connections (no bulk session to be had); null: see <see cref="Compose"/>.</summary>
    SendOutcome? SendOne(Work work)
    {
        var (message, instead) = Compose(work);
        if (message is null) return instead;
        // Disposed when done: MimeMessage has a finalizer, and 100,000 of them queued for it cost the GC dearly.
        using (message)
        {
            try
            {
                // Never cancelled: a send the relay may already have accepted would have an unknowable outcome.
                _ctx.Transport.Send(message);
                return SendOutcome.Sent;
            }
            catch (MailDeliveryException e)
            {
                return SendOutcome.Of(e);
            }
        }
    }

    /// <summary>
    /// The recipient's message, or instead the outcome that takes its place: someone who unsubscribed (or bounced) after
    /// the list was frozen gets nothing, and a message that can't be composed or addressed fails its recipient alone,
    /// with why, whatever the database holds. Neither when the template broke a render limit: that is the broadcast's
    /// fault, not the recipient's, so the run stops (<see cref="FailTemplate"/>) and the recipient stays unsent.
    /// </summary>
    (MimeMessage? Message, SendOutcome? Instead) Compose(Work work)
    {
        if (work.Instead is { } instead) return (null, instead);
        if (work.Subscriber is not { State: SubscriberStates.Active } subscriber) return (null, SendOutcome.NotActive);
        MimeMessage message;
        try
        {
            message = _ctx.Composer.ComposeBroadcast(work.Template ?? _feed.Template!, subscriber, work.Token);
        }
        catch (TemplateLimitException e) when (_feed.TemplateLimitStopsRun)
        {
            FailTemplate(e);
            return (null, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, SendOutcome.NotComposed(e));
        }
        if (SmtpAddress.Problem(message) is { } problem)
        {
            message.Dispose();
            return (null, SendOutcome.NotAddressable(problem));
        }
        return (message, null);
    }

    /// <summary>Stops the run once for a template that broke a render limit, rather than recipient by recipient, each burning the limit.</summary>
    void FailTemplate(TemplateLimitException e)
    {
        Interlocked.CompareExchange(ref _templateFailure, e.Message, null);
        _stop.Cancel();
    }

    void Finish(IBulkMailSession? session, List<BulkResult> results, List<Done> done)
    {
        if (session is null) return;
        session.Flush(results);
        Report(results, done);
    }

    void Report(List<BulkResult> results, List<Done> done)
    {
        foreach (var r in results) done.Add(new Done(r.Tag, SendOutcome.Of(r.Error)));
        results.Clear();
        Report(done);
    }

    void Report(List<Done> done, Done one)
    {
        done.Add(one);
        Report(done);
    }

    void Report(List<Done> done)
    {
        // A message the relay accepted must reach the committer; only a dead committer stops this write.
        foreach (var d in done)
            if (!_done.Writer.TryWrite(d)) _done.Writer.WriteAsync(d, _committerGone.Token).AsTask().GetAwaiter().GetResult();
        done.Clear();
    }

    /// <summary>Blocks this (dedicated) thread until the channel has work or is finished.</summary>
    static bool Wait(ValueTask<bool> ready) => ready.IsCompletedSuccessfully ? ready.Result : ready.AsTask().GetAwaiter().GetResult();

    async Task CommitLoopAsync()
    {
        var group = new List<Done>(_ctx.Options.BatchSize * GroupsPerCommit);
        try
        {
            while (await _done.Reader.WaitToReadAsync(CancellationToken.None))
            {
                await FillAsync(group);
                if (group.Count == 0) continue;
                _accepted += await _feed.CommitAsync(group);
                group.Clear();
            }
        }
        catch (Exception e) when (Stop(e)) { throw; }
        finally { _committerGone.Cancel(); }
    }

    /// <summary>
    /// Takes outcomes until a group is full or <see cref="Linger"/> has passed since the first. It looks every
    /// <see cref="Tick"/> rather than waiting on the channel: a wait is woken by every single outcome, a thread-pool
    /// hop and a context switch per message; at the bench's rates a tick finds a few dozen, far from the channel's bound.
    /// </summary>
    async Task FillAsync(List<Done> group)
    {
        var max = _ctx.Options.BatchSize * GroupsPerCommit;
        // Real time, not the injected clock: this paces the process, it is not a date anything is stamped with.
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            while (group.Count < max && _done.Reader.TryRead(out var d)) group.Add(d);
            if (group.Count >= max || _done.Reader.Completion.IsCompleted) return;
            var left = Linger - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return;
            await Task.Delay(left < Tick ? left : Tick);
        }
    }

    /// <param name="Template">The message this recipient gets; null takes the feed's one template.</param>
    /// <param name="Instead">The outcome to record without sending (the feed knows the message must not go out).</param>
    public sealed record Work(long RecipientId, long SubscriberId, string Token, SubscriberView? Subscriber,
        BroadcastTemplate? Template = null, SendOutcome? Instead = null);
    public sealed record Done(long RecipientId, SendOutcome Outcome);
}

/// <summary>What every run of a sender shares: the transport and the composer.</summary>
sealed record SendRunParts(DeliveryOptions Options, TimeProvider Time, IMailTransport Transport, MessageComposer Composer);

/// <summary>Where a <see cref="SendRun"/> takes its recipients from and writes their outcomes to.</summary>
interface ISendFeed
{
    /// <summary>What is being sent, for logs and errors ("Broadcast 12", "Sequence steps").</summary>
    string Name { get; }

    /// <summary>The one template every recipient gets, when the recipients don't carry their own.</summary>
    BroadcastTemplate? Template { get; }

    /// <summary>
    /// True: a template that breaks a render limit stops the run (a broadcast fails once rather than burning the limit
    /// recipient by recipient). False: the recipient fails alone, with why.
    /// </summary>
    bool TemplateLimitStopsRun { get; }

    /// <returns>The next recipients, empty when there is nothing more to do now, null when the lease was lost.</returns>
    /// <param name="forwardOnly">While the list is still being frozen: more rows may come, so don't turn to the retries yet.</param>
    Task<List<SendRun.Work>?> NextAsync(int size, bool forwardOnly, CancellationToken ct);

    /// <summary>Writes a group of outcomes in one transaction; returns how many were accepted by the relay.</summary>
    Task<int> CommitAsync(List<SendRun.Done> group);
}

public enum SendOutcomeKind { Sent, Transient, Failed, Bounced, Skipped }
public sealed record SendOutcome(SendOutcomeKind Kind, string? Error)
{
    public static readonly SendOutcome Sent = new(SendOutcomeKind.Sent, null);
    public static readonly SendOutcome NotActive = new(SendOutcomeKind.Skipped, "subscriber is no longer active");
    public static readonly SendOutcome StepWithdrawn = new(SendOutcomeKind.Skipped,
        "the sequence email was deleted or unpublished, the sequence deleted, or the subscriber left it, before it went out");

    /// <summary>Composing this recipient's message threw: it fails for good, the broadcast goes on.</summary>
    public static SendOutcome NotComposed(Exception e) => new(SendOutcomeKind.Failed, $"the message could not be composed: {e.Message}");

    /// <summary>The message's sender or recipient can't go on an SMTP envelope (<see cref="SmtpAddress"/>).</summary>
    public static SendOutcome NotAddressable(string problem) => new(SendOutcomeKind.Failed, $"the message could not be addressed: {problem}");

    /// <summary>Accepted (null), or what the refusal means for the recipient.</summary>
    public static SendOutcome Of(MailDeliveryException? e) => e is null ? Sent
        : new(e.Bounce ? SendOutcomeKind.Bounced : e.Permanent ? SendOutcomeKind.Failed : SendOutcomeKind.Transient, e.Message);
}

/// <summary>
/// Which recipients are out with the senders and not yet committed. The checkpoint may advance only to just
/// below the oldest of them, so a restart never skips one that was read but never sent.
/// </summary>
sealed class RecipientCursor
{
    readonly SortedSet<long> _outstanding = [];
    long _highest;

    public void Dispatched(long id)
    {
        lock (_outstanding) { _outstanding.Add(id); _highest = Math.Max(_highest, id); }
    }

    /// <summary>
    /// Marks these committed and returns the checkpoint that is safe once they are. Called inside the commit;
    /// if that commit fails the committer stops for good, so no later checkpoint can rely on it.
    /// </summary>
    public long Committed(IEnumerable<long> ids)
    {
        lock (_outstanding)
        {
            foreach (var id in ids) _outstanding.Remove(id);
            return _outstanding.Count > 0 ? _outstanding.Min - 1 : _highest;
        }
    }
}
