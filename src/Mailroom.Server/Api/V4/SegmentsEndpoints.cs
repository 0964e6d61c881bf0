namespace Mailroom.Server.Api.V4;

/// <summary>GET /v4/segments. Segments are read-only in Kit's v4 API; they are made in the app (and the CLI).</summary>
static class SegmentsEndpoints
{
    public sealed record SegmentResponse(long Id, string Name, DateTime CreatedAt);
    public sealed record SegmentsResponse(IReadOnlyList<SegmentResponse> Segments, V4Pagination Pagination);

    public static RouteGroupBuilder MapSegments(this RouteGroupBuilder v4)
    {
        v4.MapGet("/segments", List).WithTags("Segments").WithSummary("List segments")
            .WithDescription("Every segment (saved subscriber filter) of the account, newest first, a cursor page at a time.");
        return v4;
    }

    static async Task<JsonHttpResult<SegmentsResponse>> List(V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var slice = await page.ReadAsync(db.Segments.AsNoTracking().Where(s => s.AccountId == caller.AccountId), s => s.Id, ct);
        return V4Json.Ok(new SegmentsResponse([.. slice.Items.Select(s => new SegmentResponse(s.Id, s.Name, s.CreatedAt))], slice.Pagination));
    }
}
