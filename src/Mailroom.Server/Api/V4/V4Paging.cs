using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mailroom.Server.Api.V3;

namespace Mailroom.Server.Api.V4;

/// <summary>Kit's <c>pagination</c> object (v4 notes §3.2); <c>total_count</c> only when asked for.</summary>
public sealed record V4Pagination(bool HasPreviousPage, bool HasNextPage, string? StartCursor, string? EndCursor, int PerPage)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? TotalCount { get; init; }
}

/// <summary>One page of a cursor list, before it is wrapped in its resource's envelope.</summary>
public sealed record V4Slice<T>(List<T> Items, V4Pagination Pagination);

/// <summary>
/// The four paging parameters every v4 list takes (<c>after</c>, <c>before</c>, <c>per_page</c>,
/// <c>include_total_count</c>), and keyset seeks over them: a page is a range read on an index, never an OFFSET, so
/// it is as fast at the millionth row as at the first and stable while rows are inserted.
/// Cursors are Kit's: base64 of a JSON array of the sort key, <c>WzNd</c> = <c>[3]</c>.
/// </summary>
public sealed partial class V4Page
{
    public const int DefaultPerPage = 500;
    public const int MaxPerPage = 1000;

    public string? After { get; init; }
    public string? Before { get; init; }
    public int PerPage { get; init; } = DefaultPerPage;
    public bool IncludeTotalCount { get; init; }

    public static ValueTask<V4Page?> BindAsync(HttpContext context)
    {
        var p = context.Items[ApiParams.ItemKey] as ApiParams ?? new ApiParams([]);
        return ValueTask.FromResult<V4Page?>(Read(p));
    }

    /// <summary>Reads and checks the parameters; a bad one is a 422 with the message <see cref="V4Error"/> holds.</summary>
    public static V4Page Read(ApiParams p)
    {
        var after = p.String("after");
        var before = p.String("before");
        if (after is not null && before is not null) throw new ApiParamException(422, V4Error.CursorsBoth);
        int perPage;
        try
        {
            // inferred: Kit documents "maximum 1000"; a larger value is clamped (as Kit's clients page with 1000
            // or less), anything that is not a positive whole number is refused.
            perPage = p.Long("per_page") switch
            {
                null => DefaultPerPage,
                < 1 => throw new ApiParamException(422, V4Error.PerPageInvalid(MaxPerPage)),
                > MaxPerPage => MaxPerPage,
                var n => (int)n,
            };
        }
        catch (ApiParamException e) when (e.StatusCode != 422)
        {
            throw new ApiParamException(422, V4Error.PerPageInvalid(MaxPerPage));
        }
        return new V4Page { After = after, Before = before, PerPage = perPage, IncludeTotalCount = p.Bool("include_total_count") ?? false };
    }

    public static string Cursor(long key) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"[{key}]"));

    /// <summary>The single integer key a cursor carries; 422 when it is not one of ours.</summary>
    public static long DecodeKey(string cursor, string name)
    {
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() == 1 && a[0].TryGetInt64(out var key))
                return key;
        }
        catch (Exception e) when (e is FormatException or JsonException) { }
        throw new ApiParamException(422, V4Error.CursorInvalid(name));
    }

    /// <summary>
    /// A page of <paramref name="query"/> (entities, already filtered to the account and any list filters; project
    /// after paging, EF cannot seek on a constructor-projected record) ordered by the
    /// unique integer <paramref name="key"/>, highest first unless <paramref name="ascending"/>. Runs one range read
    /// of at most per_page + 1 rows, one existence check for the other direction when a cursor was given, and one
    /// count only when include_total_count asks for it.
    /// </summary>
    public async Task<V4Slice<T>> ReadAsync<T>(IQueryable<T> query, Expression<Func<T, long>> key, CancellationToken ct, bool ascending = false)
    {
        var total = IncludeTotalCount ? await query.LongCountAsync(ct) : (long?)null;
        var backwards = Before is not null;
        var cursor = After ?? Before;
        var filtered = query;
        if (cursor is not null)
        {
            var value = DecodeKey(cursor, backwards ? "before" : "after");
            // Forwards moves away from the start of the order; backwards towards it.
            filtered = query.Where(Compare(key, value, towardsEnd: !backwards, ascending, inclusive: false));
        }
        var ordered = (ascending ^ backwards) ? filtered.OrderBy(key) : filtered.OrderByDescending(key);
        var rows = await ordered.Take(PerPage + 1).ToListAsync(ct);
        var more = rows.Count > PerPage;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (backwards) rows.Reverse();

        // The side the cursor came from has rows if the cursor's own row or anything beyond it is still there.
        var otherSide = cursor is not null && await query.AnyAsync(
            Compare(key, DecodeKey(cursor, backwards ? "before" : "after"), towardsEnd: backwards, ascending, inclusive: true), ct);
        // Interpreted: it reads two rows' keys, and compiling the lambda to IL cost more than the read it serves.
        var compiled = key.Compile(preferInterpretation: true);
        var pagination = new V4Pagination(
            HasPreviousPage: backwards ? more : otherSide,
            HasNextPage: backwards ? otherSide : more,
            StartCursor: rows.Count > 0 ? Cursor(compiled(rows[0])) : null,
            EndCursor: rows.Count > 0 ? Cursor(compiled(rows[^1])) : null,
            PerPage: PerPage) { TotalCount = total };
        return new V4Slice<T>(rows, pagination);
    }

    /// <summary><c>key &lt; value</c> or <c>key &gt; value</c> (or ≥/≤), whichever lies towards the end or the start of the order.</summary>
    static Expression<Func<T, bool>> Compare<T>(Expression<Func<T, long>> key, long value, bool towardsEnd, bool ascending, bool inclusive)
    {
        // A captured box, not a constant, so EF sends the value as a parameter and reuses one plan for every page.
        var boxed = Expression.Property(Expression.Constant(new Box(value)), nameof(Box.Value));
        var greater = towardsEnd == ascending;
        var body = (greater, inclusive) switch
        {
            (true, false) => Expression.GreaterThan(key.Body, boxed),
            (true, true) => Expression.GreaterThanOrEqual(key.Body, boxed),
            (false, false) => Expression.LessThan(key.Body, boxed),
            (false, true) => Expression.LessThanOrEqual(key.Body, boxed),
        };
        return Expression.Lambda<Func<T, bool>>(body, key.Parameters);
    }

    sealed class Box(long value)
    {
        public long Value { get; } = value;
    }
}
