using System.Buffers;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>HTML helpers for outgoing mail: the plain-text alternative and the links a message carries.</summary>
public static partial class HtmlText
{
    /// <summary>A readable plain-text part: block ends become line breaks, links keep their target in brackets.</summary>
    public static string ToText(string html)
    {
        var text = HeadOrScript().Replace(html, "");
        text = Anchor().Replace(text, m =>
        {
            var label = Tags().Replace(m.Groups["label"].Value, "").Trim();
            var href = WebUtility.HtmlDecode(m.Groups["href"].Value);
            return label.Length == 0 || label == href ? href : $"{label} ({href})";
        });
        text = BlockEnd().Replace(text, "\n");
        text = Tags().Replace(text, "");
        return Tidy(WebUtility.HtmlDecode(text));
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
    [GeneratedRegex(@"<head\b.*?</head\s*>|<script\b.*?</script\s*>|<style\b.*?</style\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HeadOrScript();
    [GeneratedRegex("""<a\b[^>]*?\bhref\s*=\s*["'](?<href>[^"']*)["'][^>]*>(?<label>.*?)</a\s*>""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Anchor();
    [GeneratedRegex(@"<br\s*/?>|</(p|div|h[1-6]|li|tr|table|blockquote|ul|ol)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();
    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
