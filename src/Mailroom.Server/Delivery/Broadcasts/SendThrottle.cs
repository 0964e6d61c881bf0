namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>
/// Delivery:MessagesPerSecond on the app's clock, for all the broadcasts a sender has going at once: the relay's limit
/// is on the server, not on one broadcast. While busy, message k waits until k intervals after the first asked; after a
/// lull the next goes at once, and time left unused is never spent in a burst.
/// </summary>
public sealed class SendThrottle(TimeProvider time, int perSecond)
{
    readonly long _interval = Math.Max(1, time.TimestampFrequency / perSecond);
    readonly Lock _lock = new();
    // Set by the first message, when sending actually begins (not when the pass did, before loading anything).
    long? _last;

    /// <summary>
    /// Takes the next slot and returns when it is due (a timestamp of the app's clock). A point in time rather than a
    /// wait: the caller finishes the message it holds before waiting, and that took some of the wait.
    /// </summary>
    public long Next()
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            var due = Math.Max((_last ?? now) + _interval, now);
            _last = due;
            return due;
        }
    }

    /// <summary>How long from now until <paramref name="due"/>; zero once it has passed.</summary>
    public TimeSpan Until(long due)
    {
        var left = due - time.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / time.TimestampFrequency);
    }
}
