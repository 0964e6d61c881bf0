using System.Globalization;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Domain.Seeding;

/// <summary>Value checks shared by every entry of a seed file; each failure names the entry's path.</summary>
static class SeedCheck
{
    // Column limits of the schema. SQLite does not enforce them and Postgres does, so check them here
    // and a file behaves the same on both.
    public const int NameLength = 255;

    static readonly string[] DateFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    /// <summary>A required text, trimmed.</summary>
    public static string Required(string? value, string path, int maxLength = NameLength)
    {
        if (string.IsNullOrWhiteSpace(value)) throw SeedException.At(path, "is required");
        return Limit(value.Trim(), path, maxLength);
    }

    /// <summary>An optional short text (a name or label), trimmed; blank reads as absent.</summary>
    public static string? Optional(string? value, string path, int maxLength = NameLength) =>
        string.IsNullOrWhiteSpace(value) ? null : Limit(value.Trim(), path, maxLength);

    static string Limit(string value, string path, int maxLength) =>
        value.Length <= maxLength ? value : throw SeedException.At(path, $"is longer than {maxLength} characters");

    /// <summary>An amount that fits the numeric(18,4) columns exactly; Postgres would fail on more and SQLite would keep it.</summary>
    public static decimal? Amount(decimal? value, string path)
    {
        if (value is not { } v) return null;
        if (Math.Abs(v) >= 100_000_000_000_000m) throw SeedException.At(path, "is too large");
        if (decimal.Round(v, 4) != v) throw SeedException.At(path, "has more than 4 decimal places");
        return v;
    }

    public static string Email(string? value, string path)
    {
        var email = Required(value, path, 254);
        return EmailAddress.IsValid(email) ? email : throw SeedException.At(path, $"\"{email}\" is not a valid email address");
    }

    /// <summary>A subscriber's first name, trimmed; blank reads as absent. The limits are the API's (SubscriberLimits).</summary>
    public static string? FirstName(string? value, string path)
    {
        var name = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        return SubscriberLimits.CheckFirstName(name).Problem switch
        {
            SubscriberProblem.FirstNameTooLong => throw SeedException.At(path, $"is longer than {SubscriberLimits.FirstNameMaxLength} characters"),
            SubscriberProblem.FirstNameInvalid => throw SeedException.At(path, "contains a control character"),
            _ => name,
        };
    }

    /// <summary>A custom field value, kept as written; the limits are the API's (SubscriberLimits).</summary>
    public static string FieldValue(string key, string value, string path) =>
        SubscriberLimits.CheckFields([new(key, value)]).Problem switch
        {
            SubscriberProblem.FieldValueTooLong => throw SeedException.At(path, $"is longer than {SubscriberLimits.FieldValueMaxLength} characters"),
            SubscriberProblem.FieldValueInvalid => throw SeedException.At(path, "contains a control character other than a tab or line break"),
            SubscriberProblem.FieldKeyInvalid => throw SeedException.At(path, "is not a valid custom field key"),
            _ => value,
        };

    public static string? OptionalEmail(string? value, string path) =>
        string.IsNullOrWhiteSpace(value) ? null : Email(value, path);

    /// <summary>
    /// ISO 8601 (<c>2016-02-28T08:07:00Z</c>, with any offset) or Kit's naive <c>2016-02-28 08:07:00</c>, read as UTC.
    /// Kept to the millisecond, the precision the API writes.
    /// </summary>
    public static DateTime? Date(string? value, string path)
    {
        if (value is null) return null;
        if (!DateTimeOffset.TryParseExact(value.Trim(), DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            throw SeedException.At(path, $"\"{value}\" is not a date (write it like 2016-02-28T08:07:00Z)");
        var utc = parsed.UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    public static string OneOf(string? value, string path, string fallback, params string[] allowed)
    {
        if (value is null) return fallback;
        return allowed.Contains(value, StringComparer.Ordinal) ? value
            : throw SeedException.At(path, $"\"{value}\" is not one of {string.Join(", ", allowed)}");
    }

    /// <summary>The non-null entries of an optional array, each with its path; a null entry is an error.</summary>
    public static IEnumerable<(T Item, string Path)> Entries<T>(List<T?>? list, string path) where T : class
    {
        if (list is null) yield break;
        for (var i = 0; i < list.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            yield return (list[i] ?? throw SeedException.At(itemPath, typeof(T) == typeof(string) ? "must be a string" : "must be an object"), itemPath);
        }
    }

    /// <summary>Names referring to entries defined earlier in the file; each must exist and appear once.</summary>
    public static List<(T Target, string Name, string Path)> References<T>(List<string?>? names, string path,
        IReadOnlyDictionary<string, T> known, string what)
    {
        var found = new List<(T, string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (raw, itemPath) in Entries(names, path))
        {
            var name = raw.Trim();
            if (!known.TryGetValue(name, out var target)) throw SeedException.At(itemPath, $"unknown {what} \"{name}\"");
            if (!seen.Add(name)) throw SeedException.At(itemPath, $"{what} \"{name}\" is listed twice");
            found.Add((target, name, itemPath));
        }
        return found;
    }

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
