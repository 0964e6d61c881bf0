using NodaTime;

namespace Mailroom.Server.Domain.Sequences;

/// <summary>
/// Days of the week as Kit writes them (lower-case English names, listed Monday to Sunday) and as Mailroom stores them:
/// a bit mask, Monday = bit 0 … Sunday = bit 6.
/// </summary>
public static class SendDays
{
    public const int All = 0x7F;

    static readonly string[] Names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>The mask of these names, or null when one is not a day (or none is given).</summary>
    public static int? Parse(IEnumerable<string?> names)
    {
        var mask = 0;
        foreach (var name in names)
        {
            var i = Array.IndexOf(Names, name?.Trim().ToLowerInvariant());
            // inferred: Kit's CLI-less API takes only full names; the CLI also takes the usual three-letter forms.
            if (i < 0 && name?.Trim().Length == 3) i = Array.FindIndex(Names, n => n.StartsWith(name.Trim().ToLowerInvariant(), StringComparison.Ordinal));
            if (i < 0) return null;
            mask |= 1 << i;
        }
        return mask == 0 ? null : mask;
    }

    /// <summary>The names in the mask, Monday first, as Kit's examples list them.</summary>
    public static IReadOnlyList<string> ToNames(int mask) => [.. Names.Where((_, i) => (mask & (1 << i)) != 0)];

    public static bool Allows(int mask, IsoDayOfWeek day) => (mask & (1 << ((int)day - 1))) != 0;

    public static string Valid => string.Join(", ", Names);
}
