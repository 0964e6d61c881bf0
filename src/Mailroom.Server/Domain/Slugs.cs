using System.Globalization;
using System.Text;

namespace Mailroom.Server.Domain;

/// <summary>Kit's URL-safe names: a snippet's key and a post's slug ("Cat Fact of the Day" → <c>cat-fact-of-the-day</c>).</summary>
public static class Slugs
{
    /// <summary>Lower-case ASCII letters and digits, every other run of characters one hyphen; accents dropped (é → e).</summary>
    public static string From(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        return builder.ToString().TrimEnd('-');
    }
}
