using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// Keyset pages ordered by a timestamp, ties broken by a unique id: Kit's composite cursor
/// <c>["2023-02-17T11:43:55.000Z",16]</c> (v4 notes §3.2). The seek is <c>(t, id) &lt; (t0, id0)</c> spelled as
/// <c>t &lt; t0 OR (t = t0 AND id &lt; id0)</c>, which both providers run as a range on a (…, t, id) index.
/// </summary>
public sealed partial class V4Page
{
    const string CursorTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Cursor(DateTime time, long id) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        new JsonArray(DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString(CursorTimeFormat, CultureInfo.InvariantCulture), id).ToJsonString()));

    /// <summary>The (timestamp, id) a composite cursor carries; 422 when it is not one of ours.</summary>
    public static (DateTime Time, long Id) DecodeComposite(string cursor, string name)
    {
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() == 2
                && a[0].ValueKind == JsonValueKind.String && a[1].TryGetInt64(out var id)
                && DateTime.TryParseExact(a[0].GetString(), CursorTimeFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
                return (DateTime.SpecifyKind(time, DateTimeKind.Utc), id);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException) { }
        throw new ApiParamException(422, V4Error.CursorInvalid(name));
    }

    /// <summary>
    /// A page of <paramref name="query"/> ordered by (<paramref name="time"/>, <paramref name="id"/>), newest first
    /// unless <paramref name="ascending"/>; the same reads as the single-key <see cref="ReadAsync{T}(IQueryable{T}, Expression{Func{T, long}}, CancellationToken, bool)"/>.
    /// </summary>
    public async Task<V4Slice<T>> ReadAsync<T>(IQueryable<T> query, Expression<Func<T, DateTime>> time, Expression<Func<T, long>> id,
        CancellationToken ct, bool ascending = false)
    {
        var total = IncludeTotalCount ? await query.LongCountAsync(ct) : (long?)null;
        var backwards = Before is not null;
        var cursor = After ?? Before;
        var filtered = query;
        (DateTime Time, long Id)? position = cursor is null ? null : DecodeComposite(cursor, backwards ? "before" : "after");
        if (position is { } at) filtered = query.Where(Compare(time, id, at, towardsEnd: !backwards, ascending, inclusive: false));
        var ordered = (ascending ^ backwards) ? filtered.OrderBy(time).ThenBy(id) : filtered.OrderByDescending(time).ThenByDescending(id);
        var rows = await ordered.Take(PerPage + 1).ToListAsync(ct);
        var more = rows.Count > PerPage;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (backwards) rows.Reverse();

        var otherSide = position is { } from && await query.AnyAsync(Compare(time, id, from, towardsEnd: backwards, ascending, inclusive: true), ct);
        var (timeOf, idOf) = (time.Compile(preferInterpretation: true), id.Compile(preferInterpretation: true));
        var pagination = new V4Pagination(
            HasPreviousPage: backwards ? more : otherSide,
            HasNextPage: backwards ? otherSide : more,
            StartCursor: rows.Count > 0 ? Cursor(timeOf(rows[0]), idOf(rows[0])) : null,
            EndCursor: rows.Count > 0 ? Cursor(timeOf(rows[^1]), idOf(rows[^1])) : null,
            PerPage: PerPage) { TotalCount = total };
        return new V4Slice<T>(rows, pagination);
    }

    static Expression<Func<T, bool>> Compare<T>(Expression<Func<T, DateTime>> time, Expression<Func<T, long>> id, (DateTime Time, long Id) at,
        bool towardsEnd, bool ascending, bool inclusive)
    {
        // Both lambdas get the same parameter; the values are captured boxes so EF sends parameters, not constants.
        var parameter = time.Parameters[0];
        var idBody = new Rebind(id.Parameters[0], parameter).Visit(id.Body);
        var t0 = Expression.Property(Expression.Constant(new TimeBox(at.Time)), nameof(TimeBox.Value));
        var id0 = Expression.Property(Expression.Constant(new Box(at.Id)), nameof(Box.Value));
        var greater = towardsEnd == ascending;
        Expression timeBeyond = greater ? Expression.GreaterThan(time.Body, t0) : Expression.LessThan(time.Body, t0);
        Expression idBeyond = (greater, inclusive) switch
        {
            (true, false) => Expression.GreaterThan(idBody, id0),
            (true, true) => Expression.GreaterThanOrEqual(idBody, id0),
            (false, false) => Expression.LessThan(idBody, id0),
            (false, true) => Expression.LessThanOrEqual(idBody, id0),
        };
        var body = Expression.OrElse(timeBeyond, Expression.AndAlso(Expression.Equal(time.Body, t0), idBeyond));
        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }

    sealed class TimeBox(DateTime value)
    {
        public DateTime Value { get; } = value;
    }

    sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
