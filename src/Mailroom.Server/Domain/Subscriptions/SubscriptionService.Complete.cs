using System.Globalization;
using Mailroom.Server.Domain.Outbox;

namespace Mailroom.Server.Domain.Subscriptions;

public sealed partial class SubscriptionService
{
    /// <summary>
    /// A subscriber reached the end of a sequence: raises course_complete (matched by rules on the sequence id,
    /// spec §4.5). The sequence engine calls this once per run through a sequence; the subscription stays active,
    /// since finishing a course is not leaving it. False when the subscriber holds no active subscription to it.
    /// </summary>
    public async Task<bool> CompleteSequenceAsync(Subscriber subscriber, long sequenceId, CancellationToken ct)
    {
        var active = await db.Subscriptions.AnyAsync(s => s.SubscriberId == subscriber.Id && s.AccountId == subscriber.AccountId
            && s.SubscribableType == SubscribableTypes.Course && s.SubscribableId == sequenceId && s.State == SubscriptionStates.Active, ct);
        if (!active) return false;
        db.Raise(time, subscriber.AccountId, OutboxEvents.CourseComplete, subscriber, matchValue: sequenceId.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(ct);
        return true;
    }
}
