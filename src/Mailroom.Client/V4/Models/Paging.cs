namespace Mailroom.Client.V4;

/// <summary>Which page of a cursor list to read. Every property is optional; the defaults read the first page of 500.</summary>
public sealed record PageRequest
{
    /// <summary>Read the page after this cursor (a previous page's <see cref="Pagination.EndCursor"/>).</summary>
    public string? After { get; init; }

    /// <summary>Read the page before this cursor (a previous page's <see cref="Pagination.StartCursor"/>).</summary>
    public string? Before { get; init; }

    /// <summary>Items per page: Kit's default is 500, its maximum 1000.</summary>
    public int? PerPage { get; init; }

    /// <summary>Ask for <see cref="Pagination.TotalCount"/>. Slow on big lists: ask on the first page only.</summary>
    public bool IncludeTotalCount { get; init; }
}

/// <summary>Kit's <c>pagination</c> object.</summary>
/// <param name="HasPreviousPage">Whether items come before this page.</param>
/// <param name="HasNextPage">Whether items come after this page.</param>
/// <param name="StartCursor">The cursor of the first item, for <see cref="PageRequest.Before"/>; null on an empty page.</param>
/// <param name="EndCursor">The cursor of the last item, for <see cref="PageRequest.After"/>; null on an empty page.</param>
/// <param name="PerPage">The page size used.</param>
/// <param name="TotalCount">How many items the list has, when <see cref="PageRequest.IncludeTotalCount"/> asked for it.</param>
public sealed record Pagination(bool HasPreviousPage, bool HasNextPage, string? StartCursor, string? EndCursor, int PerPage,
    long? TotalCount = null);

/// <summary>One page of a cursor list.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items, in Kit's order.</param>
/// <param name="Pagination">Where the page sits in the list.</param>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, Pagination Pagination);

/// <summary>
/// The answer of a bulk operation. With 100 items or fewer Kit works synchronously and answers what it did
/// (<see cref="Items"/>) and what it could not do (<see cref="Failures"/>, each with its messages); with more it queues the
/// work (<see cref="Queued"/>, both lists empty) and POSTs the same result to the <c>callback_url</c> when done.
/// </summary>
/// <typeparam name="TItem">What was created or changed.</typeparam>
/// <typeparam name="TFailure">One refused item and its messages.</typeparam>
/// <param name="Queued">True for a 202: the work runs later.</param>
/// <param name="Items">What was done.</param>
/// <param name="Failures">What was refused, with why.</param>
public sealed record BulkResult<TItem, TFailure>(bool Queued, IReadOnlyList<TItem> Items, IReadOnlyList<TFailure> Failures);

/// <summary>The token endpoint's answer (RFC 6749 §5.1).</summary>
sealed record TokenAnswer(string AccessToken, string? RefreshToken = null, long? ExpiresIn = null);
