using System.Buffers;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit.Text;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>HTML helpers for outgoing mail: the plain-text alternative and the links a message carries.</summary>
public static partial class HtmlText
{
    /// <summary>
    /// A readable plain-text part: blocks (p, div, headings, list items, rows...) and &lt;br&gt; become line breaks, links keep their target in brackets
    /// ("label (url)", or the url alone when the label is empty or the url itself), head, script and style are dropped,
    /// entities are decoded. Read with MimeKit's HTML tokenizer, so malformed markup (unclosed tags, a '&lt;' in text,
    /// a "&lt;/style&gt;" inside a script's string) reads as a browser would, which the patterns before it could not.
    /// Line breaks in the source are kept, as before: authors of plain newsletters put them where they mean them.
    /// </summary>
    public static string ToText(string html)
    {
        var text = new StringBuilder(html.Length);
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        var skipping = HtmlTagId.Unknown; // the element whose content is dropped (head, script, style), until its end tag
        string? href = null;              // the target of the open <a>, and where its label starts in text
        var labelStart = 0;
        while (tokenizer.ReadNextToken(out var token))
        {
            if (token is HtmlDataToken data)
            {
                if (skipping == HtmlTagId.Unknown) text.Append(data.Data);
                continue;
            }
            if (token is not HtmlTagToken tag) continue;
            if (skipping != HtmlTagId.Unknown)
            {
                if (tag.IsEndTag && tag.Id == skipping) skipping = HtmlTagId.Unknown;
                continue;
            }
            switch (tag.Id)
            {
                case HtmlTagId.Head or HtmlTagId.Script or HtmlTagId.Style when !tag.IsEndTag && !tag.IsEmptyElement:
                    skipping = tag.Id;
                    break;
                case HtmlTagId.Br:
                    text.Append('\n');
                    break;
                case HtmlTagId.A when !tag.IsEndTag:
                    href = Href(tag);
                    labelStart = text.Length;
                    break;
                case HtmlTagId.A when href is not null:
                    CloseLink(text, labelStart, href);
                    href = null;
                    break;
                case HtmlTagId.P or HtmlTagId.Div or HtmlTagId.H1 or HtmlTagId.H2 or HtmlTagId.H3 or HtmlTagId.H4 or HtmlTagId.H5
                    or HtmlTagId.H6 or HtmlTagId.LI or HtmlTagId.TR or HtmlTagId.Table or HtmlTagId.BlockQuote or HtmlTagId.UL
                    or HtmlTagId.OL:
                    // A block starts and ends on a line of its own, also when its end tag is missing (<p>a<p>b).
                    LineBreak(text);
                    break;
            }
        }
        return Tidy(text.ToString());
    }

    /// <summary>Ends the current line unless it is already empty, so "&lt;/p&gt;&lt;p&gt;" is one break, not two.</summary>
    static void LineBreak(StringBuilder text)
    {
        for (var i = text.Length - 1; i >= 0; i--)
        {
            if (text[i] == '\n') return;
            if (text[i] is not (' ' or '\t' or '\r')) break;
        }
        if (text.Length > 0) text.Append('\n');
    }

    static string? Href(HtmlTagToken tag)
    {
        foreach (var attribute in tag.Attributes)
            if (attribute.Id == HtmlAttributeId.Href)
                return attribute.Value;
        return null;
    }

    /// <summary>Replaces a link's label in <paramref name="text"/> with "label (url)", or the url alone.</summary>
    static void CloseLink(StringBuilder text, int labelStart, string href)
    {
        var label = text.ToString(labelStart, text.Length - labelStart).Trim();
        text.Length = labelStart;
        if (label.Length == 0 || label == href) text.Append(href);
        else text.Append(label).Append(" (").Append(href).Append(')');
    }

    /// <summary>
    /// Collapses runs of spaces within lines, trims every line, keeps at most one blank line between
    /// paragraphs and none at either end; one pass instead of three regexes and a split (it runs per message).
    /// </summary>
    static string Tidy(string text)
    {
        var result = new StringBuilder(text.Length + 1);
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(1, text.Length));
        try
        {
            var separators = -1; // '\n's since the last non-empty line; the first line has none before it
            foreach (var range in text.AsSpan().Split('\n'))
            {
                separators++;
                var length = 0;
                var inRun = false;
                foreach (var c in text.AsSpan(range))
                {
                    var space = c is ' ' or '\t' or '\r' or '\f' or '\v';
                    if (space && inRun) continue;
                    buffer[length++] = space ? ' ' : c;
                    inRun = space;
                }
                var line = buffer.AsSpan(0, length).Trim();
                if (line.IsEmpty) continue;
                if (result.Length > 0) result.Append('\n', Math.Min(separators, 2));
                result.Append(line);
                separators = 0;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
        return result.Append('\n').ToString();
    }

    /// <summary>The http(s) link targets of a message in document order; click tokens index into this list.</summary>
    public static List<string> Links(string html) =>
        [.. Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value))];

    /// <summary>Replaces every http(s) href with <paramref name="replace"/>(index, url), in the order of <see cref="Links"/>.</summary>
    public static string RewriteLinks(string html, Func<int, string, string?> replace)
    {
        var index = 0;
        return Href().Replace(html, m =>
        {
            var replacement = replace(index++, WebUtility.HtmlDecode(m.Groups["url"].Value));
            if (replacement is null) return m.Value;
            var url = m.Groups["url"];
            // Everything before the URL (href, spacing and the opening quote), then the closing quote.
            return $"{m.ValueSpan[..(url.Index - m.Index)]}{WebUtility.HtmlEncode(replacement)}{m.ValueSpan[^1]}";
        });
    }

    // No backreferences (a quote matched by the same quote, a tag closed by its own name): with IgnoreCase the source
    // generator cannot compile those and falls back to the interpreter, ~2% of a broadcast's CPU.
    [GeneratedRegex("""\bhref\s*=\s*(?:"(?<url>https?://[^"'\s>]+)"|'(?<url>https?://[^"'\s>]+)')""", RegexOptions.IgnoreCase)]
    private static partial Regex Href();
}
