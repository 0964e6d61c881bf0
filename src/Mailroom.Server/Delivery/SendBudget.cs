using Microsoft.Extensions.Options;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Delivery;

/// <summary>
/// The relay's limits are on the whole server, not on one sender: Smtp:MaxConnections is shared out between every run
/// going on (broadcasts' and sequence steps'), and Delivery:MessagesPerSecond is one <see cref="Throttle"/> for all of them.
/// </summary>
public sealed class SendBudget(IOptions<SmtpOptions> smtp, IOptions<DeliveryOptions> delivery, TimeProvider time)
{
    int _broadcastRuns;
    int _sequenceRuns;

    public SendThrottle? Throttle { get; } = delivery.Value.MessagesPerSecond > 0 ? new SendThrottle(time, delivery.Value.MessagesPerSecond) : null;

    public int MaxConnections => Math.Max(1, smtp.Value.MaxConnections);
    public int SequenceRuns => Volatile.Read(ref _sequenceRuns);
    public int BroadcastRuns => Volatile.Read(ref _broadcastRuns);

    /// <summary>Counts a run for as long as it goes on, so the other sender leaves it its share.</summary>
    public Lease Broadcast() => new(this, broadcast: true);
    public Lease Sequence() => new(this, broadcast: false);

    public readonly struct Lease : IDisposable
    {
        readonly SendBudget _budget;
        readonly bool _broadcast;

        internal Lease(SendBudget budget, bool broadcast)
        {
            _budget = budget;
            _broadcast = broadcast;
            if (broadcast) Interlocked.Increment(ref budget._broadcastRuns);
            else Interlocked.Increment(ref budget._sequenceRuns);
        }

        public void Dispose()
        {
            if (_broadcast) Interlocked.Decrement(ref _budget._broadcastRuns);
            else Interlocked.Decrement(ref _budget._sequenceRuns);
        }
    }
}
