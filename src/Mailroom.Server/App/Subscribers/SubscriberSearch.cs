using System.Globalization;
using Mailroom.Server.Domain;

namespace Mailroom.Server.App.Subscribers;

/// <summary>What the subscriber list is narrowed to: a search text, a subscriber state, and a tag, form or sequence.</summary>
public sealed record SubscriberFilter(string? Query, string? State, long? TagId, long? FormId, long? SequenceId);

public sealed record SubscriberRow(long Id, string EmailAddress, string? FirstName, string State, DateTime CreatedAt);

/// <summary>One page of the list and the cursors of its neighbours (null where there is none).</summary>
public sealed record SubscriberSlice(IReadOnlyList<SubscriberRow> Rows, string? Next, string? Previous);

/// <summary>
/// The subscriber list, paged by keyset and never by OFFSET, so page 20,000 costs what page 1 does at a million rows.
/// A search containing "@" is a prefix of the address: it walks the (account_id, normalized_email) index in address
/// order. Anything else is newest first by id, on (account_id, state, id) when a state is chosen; a name is matched
/// anywhere in it, which no index serves, so that search reads rows until a page is full.
/// </summary>
public static class SubscriberSearch
{
    public const int PageSize = 50;
    public static readonly string[] States =
        [SubscriberStates.Active, SubscriberStates.Inactive, SubscriberStates.Cancelled, SubscriberStates.Bounced, SubscriberStates.Complained];

    public static bool ByAddress(SubscriberFilter filter) => filter.Query?.Contains('@') == true;

    /// <param name="after">The cursor of the page before this one (from its Next link), or null.</param>
    /// <param name="before">The cursor of the page after this one (from its Previous link), or null.</param>
    public static async Task<SubscriberSlice> ReadAsync(AppDbContext db, long accountId, SubscriberFilter filter,
        string? after, string? before, CancellationToken ct)
    {
        var q = db.Subscribers.AsNoTracking().Where(s => s.AccountId == accountId);
        if (filter.State is { } state) q = q.Where(s => s.State == state);
        q = In(db, q, SubscribableTypes.Tag, filter.TagId);
        q = In(db, q, SubscribableTypes.Form, filter.FormId);
        q = In(db, q, SubscribableTypes.Course, filter.SequenceId);
        var text = filter.Query?.Trim().ToLowerInvariant();
        return ByAddress(filter) ? await ByAddressAsync(q, text!, after, before, ct) : await ByIdAsync(q, text, after, before, ct);
    }

    // Cancelled memberships are left out, as the API's subscriber tags leave them out: an unsubscribe cancels them all.
    static IQueryable<Subscriber> In(AppDbContext db, IQueryable<Subscriber> q, string type, long? id) => id is { } target
        ? q.Where(s => db.Subscriptions.Any(x => x.SubscriberId == s.Id && x.SubscribableType == type
            && x.SubscribableId == target && x.State != SubscriptionStates.Cancelled))
        : q;

    static async Task<SubscriberSlice> ByAddressAsync(IQueryable<Subscriber> q, string text, string? after, string? before, CancellationToken ct)
    {
        var prefix = EmailAddress.Normalize(text);
        // The range lets both databases seek the index (LIKE does not on SQLite's or PostgreSQL's default collation);
        // StartsWith keeps the answer exact. The upper bound is the prefix with its last character incremented.
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        q = q.Where(s => string.Compare(s.NormalizedEmail, prefix) >= 0 && string.Compare(s.NormalizedEmail, upper) < 0
            && s.NormalizedEmail.StartsWith(prefix));
        List<SubscriberRow> rows;
        if (before is not null)
        {
            rows = await Rows(q.Where(s => string.Compare(s.NormalizedEmail, before) < 0).OrderByDescending(s => s.NormalizedEmail), ct);
            return Backward(rows, r => EmailAddress.Normalize(r.EmailAddress));
        }
        if (after is not null) q = q.Where(s => string.Compare(s.NormalizedEmail, after) > 0);
        rows = await Rows(q.OrderBy(s => s.NormalizedEmail), ct);
        return Forward(rows, after is not null, r => EmailAddress.Normalize(r.EmailAddress));
    }

    static async Task<SubscriberSlice> ByIdAsync(IQueryable<Subscriber> q, string? text, string? after, string? before, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(text))
            q = q.Where(s => s.NormalizedEmail.StartsWith(text) || (s.FirstName != null && s.FirstName.ToLower().Contains(text)));
        List<SubscriberRow> rows;
        if (long.TryParse(before, out var b))
        {
            rows = await Rows(q.Where(s => s.Id > b).OrderBy(s => s.Id), ct);
            return Backward(rows, r => r.Id.ToString(CultureInfo.InvariantCulture));
        }
        var hasAfter = long.TryParse(after, out var a);
        if (hasAfter) q = q.Where(s => s.Id < a);
        rows = await Rows(q.OrderByDescending(s => s.Id), ct);
        return Forward(rows, hasAfter, r => r.Id.ToString(CultureInfo.InvariantCulture));
    }

    // One row more than a page says whether another page follows.
    static Task<List<SubscriberRow>> Rows(IQueryable<Subscriber> ordered, CancellationToken ct) => ordered.Take(PageSize + 1)
        .Select(s => new SubscriberRow(s.Id, s.EmailAddress, s.FirstName, s.State, s.CreatedAt)).ToListAsync(ct);

    static SubscriberSlice Forward(List<SubscriberRow> rows, bool cameFromBefore, Func<SubscriberRow, string> key)
    {
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(PageSize);
        return new(rows, more ? key(rows[^1]) : null, cameFromBefore && rows.Count > 0 ? key(rows[0]) : null);
    }

    // Read in reverse order from the cursor, then turned back: the page that precedes the cursor, in list order.
    static SubscriberSlice Backward(List<SubscriberRow> rows, Func<SubscriberRow, string> key)
    {
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(PageSize);
        rows.Reverse();
        return new(rows, rows.Count > 0 ? key(rows[^1]) : null, more ? key(rows[0]) : null);
    }
}
