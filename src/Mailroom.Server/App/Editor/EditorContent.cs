using Markdig;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.App.Editor;

public enum ContentFormat { Markdown, Html }

/// <summary>
/// What <see cref="ContentEditor"/> edits: an email's subject, preview text, body and layout. The body is stored as
/// HTML (the broadcast's and sequence email's <c>content</c>); Markdown is a way of writing it, turned into HTML by
/// <see cref="ContentHtml"/> when previewed and saved.
/// inferred: the Markdown source is not kept (no column for it); a saved email opens again as HTML.
/// </summary>
public sealed class EditorContent
{
    // Raw HTML passes through as in the HTML mode; Liquid tags are plain text to Markdown and reach the renderer as typed.
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public string? Subject { get; set; }
    public string? PreviewText { get; set; }
    public string? Body { get; set; }
    public ContentFormat Format { get; set; } = ContentFormat.Markdown;
    public string Layout { get; set; } = EmailLayouts.TextOnly;

    /// <summary>The body as the HTML that is stored and sent.</summary>
    public string? ContentHtml() =>
        string.IsNullOrWhiteSpace(Body) ? null : Format == ContentFormat.Markdown ? Markdown.ToHtml(Body, Pipeline) : Body;

    /// <summary>An existing email opens in the HTML mode (its stored form).</summary>
    public static EditorContent FromStored(string? subject, string? previewText, string? contentHtml, string? layout) => new()
    {
        Subject = subject, PreviewText = previewText, Body = contentHtml, Format = ContentFormat.Html,
        Layout = string.IsNullOrEmpty(layout) ? EmailLayouts.TextOnly : layout,
    };
}
