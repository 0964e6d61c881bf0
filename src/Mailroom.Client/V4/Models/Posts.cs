namespace Mailroom.Client.V4;

/// <summary>A post: a broadcast published to the web.</summary>
/// <param name="Id">The post id.</param>
/// <param name="PublicationId">The publication id it shares with its broadcast.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Title">The title.</param>
/// <param name="Slug">The URL slug.</param>
/// <param name="Description">The description.</param>
/// <param name="MetaDescription">The meta description.</param>
/// <param name="Status"><c>"draft"</c> or <c>"published"</c>.</param>
/// <param name="PublishedAt">When it was published.</param>
/// <param name="SentAt">When its broadcast was sent.</param>
/// <param name="ThumbnailAlt">The thumbnail's alt text.</param>
/// <param name="ThumbnailUrl">The thumbnail.</param>
/// <param name="IsPaid">Whether it is for paid subscribers only.</param>
/// <param name="PublicUrl">The web page.</param>
public sealed record Post(long Id, long PublicationId, DateTimeOffset CreatedAt, string Title, string? Slug, string? Description,
    string? MetaDescription, string Status, DateTimeOffset? PublishedAt, DateTimeOffset? SentAt, string? ThumbnailAlt,
    string? ThumbnailUrl, bool IsPaid, string? PublicUrl)
{
    /// <summary>The HTML body: always on <c>GET /v4/posts/{id}</c>, on the list only with <c>include_content</c>.</summary>
    public string? Content { get; init; }
}
