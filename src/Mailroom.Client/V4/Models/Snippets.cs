namespace Mailroom.Client.V4;

/// <summary>A snippet: reusable email content, referenced in Liquid as <c>{{ snippet.key }}</c>.</summary>
/// <param name="Id">The snippet id.</param>
/// <param name="Name">The name.</param>
/// <param name="SnippetType"><c>"inline"</c> (plain text in <see cref="Content"/>) or <c>"block"</c> (HTML in <see cref="Document"/>).</param>
/// <param name="Archived">Whether it is archived.</param>
/// <param name="Key">The Liquid key, derived from the name at creation.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record Snippet(long Id, string Name, string SnippetType, bool Archived, string Key, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>An inline snippet's text (single snippets always; the list only with <c>include_content</c>).</summary>
    public string? Content { get; init; }

    /// <summary>A block snippet's document (single snippets always; the list only with <c>include_content</c>).</summary>
    public SnippetDocument? Document { get; init; }
}

/// <summary>The rich-text document of a snippet.</summary>
/// <param name="Id">The document id.</param>
/// <param name="ValueHtml">The HTML.</param>
/// <param name="Version">The document version.</param>
public sealed record SnippetDocument(long Id, string? ValueHtml, int Version);

/// <summary>The fields of <c>POST /v4/snippets</c> and <c>PUT /v4/snippets/{id}</c>; null fields are not sent.</summary>
public sealed record SnippetRequest
{
    /// <summary>An inline snippet of plain text (Liquid allowed).</summary>
    /// <param name="name">The name.</param>
    /// <param name="content">The text.</param>
    public static SnippetRequest Inline(string name, string content) => new() { Name = name, SnippetType = "inline", Content = content };

    /// <summary>A block snippet of HTML.</summary>
    /// <param name="name">The name.</param>
    /// <param name="html">The HTML.</param>
    public static SnippetRequest Block(string name, string html) =>
        new() { Name = name, SnippetType = "block", DocumentAttributes = new SnippetDocumentAttributes(html) };

    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary><c>"inline"</c> or <c>"block"</c>; fixed at creation (a different value on update is a 422).</summary>
    public string? SnippetType { get; init; }

    /// <summary>An inline snippet's text.</summary>
    public string? Content { get; init; }

    /// <summary>A block snippet's HTML.</summary>
    public SnippetDocumentAttributes? DocumentAttributes { get; init; }

    /// <summary>Archive (true) or restore (false); update only.</summary>
    public bool? Archived { get; init; }
}

/// <summary>A block snippet's body.</summary>
/// <param name="ValueHtml">The HTML.</param>
public sealed record SnippetDocumentAttributes(string ValueHtml);

/// <summary>Filters of <c>GET /v4/snippets</c>.</summary>
public sealed record SnippetQuery
{
    /// <summary><c>"inline"</c> or <c>"block"</c>.</summary>
    public string? SnippetType { get; init; }

    /// <summary>True lists archived snippets only; Kit's default is false.</summary>
    public bool? Archived { get; init; }

    /// <summary>Include <see cref="Snippet.Content"/> and <see cref="Snippet.Document"/>.</summary>
    public bool? IncludeContent { get; init; }
}
