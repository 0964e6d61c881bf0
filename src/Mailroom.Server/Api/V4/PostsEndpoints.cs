using System.Text.Json.Serialization;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// GET /v4/posts: the account's public broadcasts, as Kit shows them on the web. A post is its broadcast (same id, and
/// publication_id is the broadcast's id too); read-only.
/// </summary>
static class PostsEndpoints
{
    public const string Published = "published";
    public const string Draft = "draft";

    public sealed record PostResponse(long Id, long PublicationId, DateTime CreatedAt, string Title, string? Slug, string? Description,
        string? MetaDescription, string Status, DateTime? PublishedAt, DateTime? SentAt, string? ThumbnailAlt, string? ThumbnailUrl,
        bool IsPaid, string? PublicUrl)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Content { get; init; }
    }
    public sealed record PostsResponse(IReadOnlyList<PostResponse> Posts, V4Pagination Pagination);
    public sealed record PostEnvelope(PostResponse Post);

    public static RouteGroupBuilder MapPosts(this RouteGroupBuilder v4)
    {
        v4.MapGet("/posts", List).WithTags("Posts").WithSummary("List posts");
        v4.MapGet("/posts/{id:long}", Get).WithTags("Posts").WithSummary("Get a post").V4Errors(404);
        return v4;
    }

    /// <summary>
    /// inferred: a public broadcast is published on the web once it has gone out by email or has a published_at
    /// (Kit's "web only" posts); before that it is a draft post, without slug or address.
    /// </summary>
    public static bool IsPublished(Broadcast b) =>
        b.Public && (b.PublishedAt is not null || b.Status is BroadcastStatuses.Sending or BroadcastStatuses.Completed);

    /// <summary>The web address of a public broadcast (its post); null for a private one.</summary>
    public static string? PublicUrlOf(Broadcast b, string baseUrl) => b.Public ? $"{baseUrl}/posts/{b.Id}" : null;

    static async Task<JsonHttpResult<PostsResponse>> List(ApiParams p, V4Caller caller, V4Page page, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var includeContent = p.Bool("include_content") ?? false;
        var slice = await page.ReadAsync(db.Broadcasts.AsNoTracking().Where(b => b.AccountId == caller.AccountId && b.Public), b => b.Id, ct);
        var baseUrl = publicUrl.Value;
        return V4Json.Ok(new PostsResponse([.. slice.Items.Select(b => ToResponse(b, baseUrl, includeContent))], slice.Pagination));
    }

    // inferred: an unpublished post is not on the web yet, so it is not found here (the list shows it as a draft).
    static async Task<Results<JsonHttpResult<PostEnvelope>, JsonHttpResult<V4Error>>> Get(long id, V4Caller caller, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id && b.AccountId == caller.AccountId && b.Public, ct);
        if (broadcast is null || !IsPublished(broadcast)) return V4Error.NotFound();
        return V4Json.Ok(new PostEnvelope(ToResponse(broadcast, publicUrl.Value, includeContent: true)));
    }

    static PostResponse ToResponse(Broadcast b, string baseUrl, bool includeContent)
    {
        var published = IsPublished(b);
        var title = b.Subject ?? "";
        return new PostResponse(b.Id, b.Id, b.CreatedAt, title, published ? Slugs.From(title) : null, b.Description, null,
            published ? Published : Draft, published ? b.PublishedAt ?? b.StartedAt : null, b.StartedAt, b.ThumbnailAlt, b.ThumbnailUrl,
            false, published ? PublicUrlOf(b, baseUrl) : null)
        { Content = includeContent ? b.Content ?? "" : null };
    }
}
