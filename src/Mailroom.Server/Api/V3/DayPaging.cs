namespace Mailroom.Server.Api.V3;

/// <summary>
/// Finds where a page starts from the per-day counts the database triggers keep (subscriber_counts,
/// subscription_counts): the day holding the page's first row, and how many of that day's rows come before it.
/// The page query then starts at that day and its OFFSET walks at most one day of index entries instead of every
/// row before the page: a middle page of a million costs what the first one does.
/// </summary>
static class DayPaging
{
    public sealed record DayCount(long Day, long Count);

    /// <summary>Where page <paramref name="skip"/> / 50 starts: a bound on created_at and an offset past it.</summary>
    /// <param name="From">Ascending: the page's rows are at or after this time.</param>
    /// <param name="Before">Descending: the page's rows are before this time.</param>
    public readonly record struct Start(long Total, DateTime? From, DateTime? Before, int Offset, bool PastTheEnd);

    public static Start Locate(IEnumerable<DayCount> counts, long skip, bool descending)
    {
        var days = counts.Where(d => d.Count != 0).OrderBy(d => d.Day).ToList();
        if (descending) days.Reverse();
        var total = days.Sum(d => d.Count);
        long before = 0;
        foreach (var day in days)
        {
            if (before + day.Count > skip)
            {
                var start = DateTime.UnixEpoch.AddDays(day.Day);
                return descending
                    ? new Start(total, null, start.AddDays(1), (int)(skip - before), false)
                    : new Start(total, start, null, (int)(skip - before), false);
            }
            before += day.Count;
        }
        return new Start(total, null, null, 0, true);
    }
}
