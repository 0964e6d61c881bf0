namespace Mailroom.Client.V4;

// The read-only resources: email templates, segments and posts.
public sealed partial class KitClient
{
    /// <summary><c>GET /v4/email_templates</c>: one page of email templates.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<EmailTemplate>> ListEmailTemplatesAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("email_templates", "email_templates", KitJson.Default.ListEmailTemplate, new Query().Page(page), ct);

    /// <summary>Every email template, page after page as the enumeration goes.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<EmailTemplate> ListAllEmailTemplatesAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListEmailTemplatesAsync, perPage, ct);

    /// <summary><c>GET /v4/segments</c>: one page of segments.</summary>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Segment>> ListSegmentsAsync(PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("segments", "segments", KitJson.Default.ListSegment, new Query().Page(page), ct);

    /// <summary>Every segment, page after page as the enumeration goes.</summary>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Segment> ListAllSegmentsAsync(int? perPage = null, CancellationToken ct = default) =>
        WalkAsync(ListSegmentsAsync, perPage, ct);

    /// <summary><c>GET /v4/posts</c>: one page of posts.</summary>
    /// <param name="includeContent">Include each post's HTML.</param>
    /// <param name="page">Which page; the first 500 when null.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<CursorPage<Post>> ListPostsAsync(bool? includeContent = null, PageRequest? page = null, CancellationToken ct = default) =>
        GetPageAsync("posts", "posts", KitJson.Default.ListPost, new Query().Add("include_content", includeContent).Page(page), ct);

    /// <summary>Every post, page after page as the enumeration goes.</summary>
    /// <param name="includeContent">Include each post's HTML.</param>
    /// <param name="perPage">Items per request; Kit's default 500 when null.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public IAsyncEnumerable<Post> ListAllPostsAsync(bool? includeContent = null, int? perPage = null, CancellationToken ct = default) =>
        WalkAsync((page, token) => ListPostsAsync(includeContent, page, token), perPage, ct);

    /// <summary><c>GET /v4/posts/{id}</c>: one post with its content.</summary>
    /// <param name="id">The post.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<Post> GetPostAsync(long id, CancellationToken ct = default) =>
        GetAsync($"posts/{Id(id)}", "post", KitJson.Default.Post, ct);
}
