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

    /// <summary>Takes the next slot; returns how long to wait for it.</summary>
    public TimeSpan Delay()
    {
        var now = time.GetTimestamp();
        long due;
        lock (_lock)
        {
            due = Math.Max((_last ?? now) + _interval, now);
            _last = due;
        }
        return due <= now ? TimeSpan.Zero : TimeSpan.FromSeconds((double)(due - now) / time.TimestampFrequency);
    }
}
