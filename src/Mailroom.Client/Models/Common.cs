namespace Mailroom.Client;

/// <summary>The order of a listing by creation time (<c>sort_order</c>).</summary>
public enum SortOrder
{
    /// <summary>Oldest first (<c>asc</c>), Kit's default.</summary>
    Ascending,

    /// <summary>Newest first (<c>desc</c>).</summary>
    Descending,
}

/// <summary>
/// One page of a paged listing: Kit answers 50 items a page, echoes the 1-based <paramref name="Page"/> and says how many
/// pages and items there are. A page past the end is empty.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Page">The page number that was asked for.</param>
/// <param name="TotalPages">How many pages the listing has.</param>
/// <param name="TotalCount">How many items the listing has (Kit's <c>total_subscribers</c>, <c>total_subscriptions</c> or <c>total_purchases</c>).</param>
/// <param name="Items">The items of this page.</param>
public sealed record PagedResult<T>(int Page, int TotalPages, long TotalCount, IReadOnlyList<T> Items);
