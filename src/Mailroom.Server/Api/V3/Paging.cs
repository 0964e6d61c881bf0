namespace Mailroom.Server.Api.V3;

/// <summary>Kit's paged lists: 50 per page, 1-based <c>page</c> echoed back, a page past the end is an empty 200 (spec §1.6).</summary>
public static class Paging
{
    public const int PageSize = 50;

    /// <summary>The requested page; absent means 1. Zero or negative pages read as 1, as Rails' paginator does.</summary>
    public static int Page(ApiParams p)
    {
        var page = p.Long("page") ?? 1;
        return page < 1 ? 1 : page > 10_000_000 ? 10_000_000 : (int)page;
    }

    public static int Skip(int page) => (page - 1) * PageSize;

    public static int TotalPages(long total) => (int)((total + PageSize - 1) / PageSize);

    /// <summary>
    /// <c>sort_order</c>: asc (default) or desc. Anything else is the caller's error: 422
    /// "Sort order must be asc or desc" (spec §8), returned through <paramref name="error"/>.
    /// </summary>
    public static bool TryDescending(ApiParams p, out bool descending, out JsonHttpResult<ApiError>? error)
    {
        error = null;
        descending = false;
        var value = p.String("sort_order");
        if (value is null) return true;
        switch (value.ToLowerInvariant())
        {
            case "asc": return true;
            case "desc": descending = true; return true;
            default:
                error = ApiError.Unprocessable(ApiError.SortOrderMessage);
                return false;
        }
    }
}
