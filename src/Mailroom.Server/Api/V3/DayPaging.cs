namespace Mailroom.Server.Api.V3;

/// <summary>
/// Reads a page using the per-day counts the database triggers keep (subscriber_counts, subscription_counts):
/// they give the list's total and the day holding the page's first row, so the page query starts at that day and
/// its OFFSET walks at most half a day of index entries (from whichever end of the day is nearer) instead of every
/// row before the page: a middle page of a million costs what the first one does.
/// </summary>
static class DayPaging
{
    public sealed record DayCount(long Day, long Count);

    /// <summary>
    /// Ids of rows from <paramref name="bound"/> on: <c>created_at &gt;= bound</c> by (created_at, id) when
    /// <paramref name="ascending"/>, else <c>created_at &lt; bound</c> by (created_at, id) descending; then skip and take.
    /// </summary>
    public delegate Task<List<long>> Fetch(DateTime bound, bool ascending, int skip, int take);

    public static async Task<(long Total, List<long> Ids)> PageAsync(IEnumerable<DayCount> counts, long skip, bool descending, Fetch fetch)
    {
        var days = counts.Where(d => d.Count != 0).OrderBy(d => d.Day).ToList();
        if (descending) days.Reverse();
        var total = days.Sum(d => d.Count);
        long before = 0;
        foreach (var day in days)
        {
            if (before + day.Count > skip)
                return (total, await ReadAsync(day, (int)(skip - before), descending, fetch));
            before += day.Count;
        }
        return (total, []);
    }

    /// <summary>The page whose first row is row <paramref name="offset"/> of <paramref name="day"/> in the listing order.</summary>
    static async Task<List<long>> ReadAsync(DayCount day, int offset, bool descending, Fetch fetch)
    {
        var start = DateTime.UnixEpoch.AddDays(day.Day);
        var (near, far) = descending ? (start.AddDays(1), start) : (start, start.AddDays(1));
        var forward = !descending;
        var rest = (int)Math.Min(day.Count - offset, int.MaxValue);
        if (offset <= rest) return await fetch(near, forward, offset, Paging.PageSize);

        // Nearer the day's far end: read backwards from it and flip.
        if (rest >= Paging.PageSize)
        {
            var ids = await fetch(far, !forward, rest - Paging.PageSize, Paging.PageSize);
            ids.Reverse();
            return ids;
        }
        // The page runs past the day: its last rows of the day backwards, then the following days from their start.
        var tail = await fetch(far, !forward, 0, rest);
        tail.Reverse();
        tail.AddRange(await fetch(far, forward, 0, Paging.PageSize - rest));
        return tail;
    }
}
