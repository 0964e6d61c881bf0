using System.Globalization;
using System.Text.RegularExpressions;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Api.V3;

/// <summary>
/// The filters of <c>GET /v3/subscribers</c> (spec §3.5) read from the request and turned into one indexed predicate
/// on (account_id, state, created_at, id), (account_id, cancelled_at, id) or (account_id, updated_at); the total is
/// read from subscriber_counts when the filter is exactly what a count holds (see <see cref="CountAsync"/>).
/// </summary>
sealed partial class SubscriberListQuery
{
    // inferred: Kit documents only active and cancelled; the other states are accepted because they are
    // real subscriber states (v4 filters on them) and the state index serves them equally well.
    static readonly string[] Statuses =
    [
        SubscriberStates.Active, SubscriberStates.Inactive, SubscriberStates.Cancelled,
        SubscriberStates.Bounced, SubscriberStates.Complained, "all",
    ];

    public bool Descending { get; private init; }
    public bool ByCancelledAt { get; private init; }
    public string? State { get; private init; }
    public string? NormalizedEmail { get; private init; }
    public DateTime? CreatedFrom { get; private init; }
    public DateTime? CreatedBefore { get; private init; }
    public DateTime? CreatedUntil { get; private init; }
    public DateTime? UpdatedFrom { get; private init; }
    public DateTime? UpdatedBefore { get; private init; }
    public DateTime? UpdatedUntil { get; private init; }

    /// <summary>Reads the filters, or explains in Rails-style messages why they cannot be read (422, spec §8).</summary>
    public static bool TryRead(ApiParams p, out SubscriberListQuery query, out JsonHttpResult<ApiError>? error)
    {
        query = new SubscriberListQuery();
        if (!Paging.TryDescending(p, out var descending, out error)) return false;

        var problems = new List<string>();
        var sortField = p.String("sort_field")?.ToLowerInvariant();
        // created_at is the implicit default; accepting it by name is harmless and what a client would guess.
        if (sortField is not (null or "created_at" or "cancelled_at"))
            problems.Add(ApiError.SortFieldMessage);
        var status = p.String("status")?.ToLowerInvariant();
        if (status is not null && !Statuses.Contains(status))
            problems.Add(ApiError.SubscriberStatusMessage);
        var from = ReadDate(p, "from", "From", problems);
        var to = ReadDate(p, "to", "To", problems);
        var updatedFrom = ReadDate(p, "updated_from", "Updated from", problems);
        var updatedTo = ReadDate(p, "updated_to", "Updated to", problems);
        if (problems.Count > 0)
        {
            error = ApiError.Unprocessable(problems);
            return false;
        }

        var email = p.String("email_address");
        var byCancelledAt = sortField == "cancelled_at";
        query = new SubscriberListQuery
        {
            Descending = descending,
            ByCancelledAt = byCancelledAt,
            // sort_field=cancelled_at is Kit's way to list unsubscribes, whatever else was asked: the rows with a
            // cancellation time, which is set exactly while a subscriber is cancelled (reactivation clears it), so
            // count and page both run on the (account_id, cancelled_at, id) index alone. An email search looks in
            // every state (spec §8) unless a status is named; the plain listing shows active subscribers.
            State = byCancelledAt ? null
                : status is not null ? (status == "all" ? null : status)
                : email is not null ? null
                : SubscriberStates.Active,
            NormalizedEmail = email is null ? null : EmailAddress.Normalize(email),
            CreatedFrom = from?.Start,
            CreatedBefore = to is { DateOnly: true } ? to.Value.NextDay : null,
            CreatedUntil = to is { DateOnly: false } ? to.Value.Start : null,
            UpdatedFrom = updatedFrom?.Start,
            UpdatedBefore = updatedTo is { DateOnly: true } ? updatedTo.Value.NextDay : null,
            UpdatedUntil = updatedTo is { DateOnly: false } ? updatedTo.Value.Start : null,
        };
        return true;
    }

    public IQueryable<Subscriber> Filter(IQueryable<Subscriber> subscribers, long accountId)
    {
        var q = subscribers.Where(s => s.AccountId == accountId);
        if (State is { } state) q = q.Where(s => s.State == state);
        if (ByCancelledAt) q = q.Where(s => s.CancelledAt != null);
        if (NormalizedEmail is { } email) q = q.Where(s => s.NormalizedEmail == email);
        if (CreatedFrom is { } cf) q = q.Where(s => s.CreatedAt >= cf);
        if (CreatedBefore is { } cb) q = q.Where(s => s.CreatedAt < cb);
        if (CreatedUntil is { } cu) q = q.Where(s => s.CreatedAt <= cu);
        if (UpdatedFrom is { } uf) q = q.Where(s => s.UpdatedAt >= uf);
        if (UpdatedBefore is { } ub) q = q.Where(s => s.UpdatedAt < ub);
        if (UpdatedUntil is { } uu) q = q.Where(s => s.UpdatedAt <= uu);
        return q;
    }

    /// <summary>An email or date filter is narrower by nature: such a listing counts its own rows.</summary>
    bool Narrowed => NormalizedEmail is not null || CreatedFrom is not null || CreatedBefore is not null || CreatedUntil is not null
        || UpdatedFrom is not null || UpdatedBefore is not null || UpdatedUntil is not null;

    /// <summary>
    /// The listing by one state alone, ordered by created_at: subscriber_counts (kept by triggers) holds its total
    /// per day, which also says on which day a page starts (<see cref="DayPaging"/>).
    /// </summary>
    public bool ByStateAlone => !Narrowed && !ByCancelledAt && State is not null;

    /// <summary>Per-day counts of the <see cref="ByStateAlone"/> listing.</summary>
    public Task<List<DayPaging.DayCount>> DayCountsAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        db.SubscriberCounts.AsNoTracking().Where(c => c.AccountId == accountId && c.State == State)
            .GroupBy(c => c.Day).Select(g => new DayPaging.DayCount(g.Key, g.Sum(c => c.Count))).ToListAsync(ct);

    /// <summary>
    /// The number of subscribers <see cref="Filter"/> selects. Without an email or date filter it is read from
    /// subscriber_counts (by state, all states, or rows with cancelled_at set for the unsubscribes listing), so no
    /// page counts a million index entries.
    /// </summary>
    public Task<long> CountAsync(AppDbContext db, IQueryable<Subscriber> filtered, long accountId, CancellationToken ct)
    {
        if (Narrowed) return filtered.LongCountAsync(ct);
        var counts = db.SubscriberCounts.AsNoTracking().Where(c => c.AccountId == accountId);
        if (State is { } state) counts = counts.Where(c => c.State == state);
        if (ByCancelledAt) counts = counts.Where(c => c.Cancelled);
        return counts.SumAsync(c => c.Count, ct);
    }

    /// <summary>The listing order, ties broken by id; <paramref name="reverse"/> flips it (used to reach far pages from the other end).</summary>
    public IQueryable<Subscriber> Order(IQueryable<Subscriber> q, bool reverse = false)
    {
        var descending = Descending != reverse;
        if (ByCancelledAt)
            return descending ? q.OrderByDescending(s => s.CancelledAt).ThenByDescending(s => s.Id)
                : q.OrderBy(s => s.CancelledAt).ThenBy(s => s.Id);
        return descending ? q.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            : q.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id);
    }

    readonly record struct DateBound(DateTime Start, bool DateOnly)
    {
        // A bare date is a whole day: "to=2024-05-01" includes everything created that day.
        public DateTime? NextDay => Start.Date == DateTime.MaxValue.Date ? null : Start.AddDays(1);
    }

    /// <summary><c>yyyy-mm-dd</c> (a whole UTC day) or an ISO-8601 timestamp such as <c>2016-02-01T21:45:16Z</c> (S11 sends those).</summary>
    static DateBound? ReadDate(ApiParams p, string name, string attribute, List<string> problems)
    {
        var text = p.String(name);
        if (text is null) return null;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateBound(DateTime.SpecifyKind(day, DateTimeKind.Utc), true);
        // The pattern keeps out what .NET would otherwise accept ("5/1/2024", "May 2024"); a missing zone reads as UTC.
        if (IsoTimestamp().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var stamp))
            return new DateBound(stamp.UtcDateTime, false);
        problems.Add(ApiError.InvalidDateMessage(attribute));
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoTimestamp();
}
