namespace Mailroom.Server.Domain.Sequences;

/// <summary>
/// Where a course subscription enters the scheduler. Only the entry is recorded here, cheaply, on the subscribe path;
/// the scheduler's next pass (within Delivery:PollInterval) works out the first email and its time, so an immediate
/// first email goes out within seconds and a later one waits in the index on next_send_at.
/// </summary>
public static class SequenceProgress
{
    /// <summary>
    /// The subscription became active: the subscriber joins (or, after a cancellation, resumes where they were: they
    /// move only forward and never get an email twice). Delays count from now. A completed run stays completed.
    /// </summary>
    public static void Start(Subscription row, DateTime now)
    {
        if (row.SubscribableType != SubscribableTypes.Course || row.CompletedAt is not null) return;
        row.SequenceAnchorAt = now;
        row.NextSendAt = now;
    }

    /// <summary>
    /// Added again while active: with <c>repeat</c>, a subscriber who completed starts over from the first email, in a
    /// new round; otherwise (or while still going through it) nothing changes (Kit). True when it restarted.
    /// </summary>
    public static bool Readd(Subscription row, bool repeat, DateTime now)
    {
        if (row.SubscribableType != SubscribableTypes.Course || !repeat || row.CompletedAt is null) return false;
        row.SequencePosition = null;
        row.CompletedAt = null;
        row.SequenceRound++;
        row.SequenceAnchorAt = now;
        row.NextSendAt = now;
        return true;
    }
}
