using System.Collections.Concurrent;

namespace Mailroom.Server.Api.V3;

/// <summary>
/// A rolling 60-second window per account (spec §1.7): the key and the secret of one account share a
/// budget. A sliding log rather than fixed buckets, so a burst at a bucket edge can't double the rate.
/// Rejected requests are not recorded, so a client that keeps retrying still gets its budget back.
/// </summary>
public sealed class AccountRateLimiter(TimeProvider time)
{
    static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    readonly ConcurrentDictionary<(char Kind, long Id), Queue<long>> _logs = new();

    /// <returns>null when permitted, otherwise how long until the next permit.</returns>
    public TimeSpan? TryAcquire(long accountId, int permitsPerMinute) => TryAcquire('a', accountId, permitsPerMinute);

    /// <summary>
    /// A budget per <paramref name="kind"/> and id: <c>a</c> a v3 account, <c>k</c> a v4 API key, <c>o</c> an OAuth
    /// grant, each with its own window.
    /// </summary>
    public TimeSpan? TryAcquire(char kind, long id, int permitsPerMinute)
    {
        if (permitsPerMinute <= 0) return null;
        var now = time.GetTimestamp();
        var log = _logs.GetOrAdd((kind, id), _ => new Queue<long>());
        lock (log)
        {
            while (log.Count > 0 && time.GetElapsedTime(log.Peek(), now) >= Window) log.Dequeue();
            while (log.Count > permitsPerMinute) log.Dequeue();
            if (log.Count < permitsPerMinute)
            {
                log.Enqueue(now);
                return null;
            }
            return Window - time.GetElapsedTime(log.Peek(), now);
        }
    }
}
