using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Mailroom.Bench.HtmlText;

/// <summary>The regex HTML-to-text Mailroom used before the tokenizer (issue 16, item 13), kept as the speed reference.</summary>
static partial class RegexHtmlText
{
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

    // The same one-pass tidy both versions end with, so the measurement compares the HTML reading only.
    static string Tidy(string text)
    {
        var result = new StringBuilder(text.Length + 1);
        var separators = -1;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            separators++;
            var line = new StringBuilder();
            var inRun = false;
            foreach (var c in text.AsSpan(range))
            {
                var space = c is ' ' or '\t' or '\r' or '\f' or '\v';
                if (space && inRun) continue;
                line.Append(space ? ' ' : c);
                inRun = space;
            }
            var trimmed = line.ToString().Trim();
            if (trimmed.Length == 0) continue;
            if (result.Length > 0) result.Append('\n', Math.Min(separators, 2));
            result.Append(trimmed);
            separators = 0;
        }
        return result.Append('\n').ToString();
    }

    [GeneratedRegex(@"<head\b.*?</head\s*>|<script\b.*?</script\s*>|<style\b.*?</style\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HeadOrScript();
    [GeneratedRegex("""<a\b[^>]*?\bhref\s*=\s*["'](?<href>[^"']*)["'][^>]*>(?<label>.*?)</a\s*>""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Anchor();
    [GeneratedRegex(@"<br\s*/?>|</(p|div|h[1-6]|li|tr|table|blockquote|ul|ol)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();
    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
