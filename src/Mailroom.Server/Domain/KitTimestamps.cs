using System.Globalization;
using System.Text.RegularExpressions;

namespace Mailroom.Server.Domain;

/// <summary>
/// Timestamps as Kit clients send them: the PHP SDK and the WordPress library send
/// <c>2024-05-01 10:00:00</c> with no zone, which Kit reads as UTC (spec §3.6); others send full ISO 8601
/// with <c>Z</c> or an offset, which is converted to UTC.
/// </summary>
public static partial class KitTimestamps
{
    /// <summary>Parses an ISO-like date or date-time; false for anything else (a bad date is the caller's 422).</summary>
    public static bool TryParse(string? text, out DateTime utc)
    {
        utc = default;
        // The shape check keeps .NET's lenient parser from accepting "May 1" or "5" as dates.
        if (text is null || !IsoLike().IsMatch(text)) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)) return false;
        var ticks = value.UtcDateTime.Ticks;
        // Millisecond precision: that is all the wire format shows, and both providers then store the same value.
        utc = new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?\s?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$")]
    private static partial Regex IsoLike();
}
