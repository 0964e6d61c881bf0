using System.Globalization;
using System.Text;

namespace Mailroom.Server.Domain.CustomFields;

/// <summary>Kit's key and name rules for custom fields (spec §4.4).</summary>
public static class CustomFieldKeys
{
    public const int AccountLimit = 140;

    /// <summary>
    /// ASCII, lower-case, underscore-separated: diacritics folded (é → e), other non-ASCII dropped,
    /// every run of anything else becomes one underscore, none at either end. "Phone Number" → phone_number.
    /// </summary>
    public static string KeyFor(string label)
    {
        var trimmed = label.Trim();
        var sb = new StringBuilder(trimmed.Length);
        var pendingUnderscore = false;
        foreach (var original in trimmed)
        {
            // string.Normalize cannot decompose under InvariantGlobalization; LatinFolding does it for Latin letters.
            var c = LatinFolding.Fold(original);
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (c > 127) continue;
            var lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                if (pendingUnderscore && sb.Length > 0) sb.Append('_');
                pendingUnderscore = false;
                sb.Append(lower);
            }
            else pendingUnderscore = true;
        }
        return sb.ToString();
    }

    /// <summary>The HTML input name of a field; fixed at creation even when the label (and key) later change.</summary>
    public static string NameFor(long id, string key) => $"ck_field_{id}_{key}";
}
