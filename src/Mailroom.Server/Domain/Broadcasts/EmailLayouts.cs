using System.Text.RegularExpressions;

namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>
/// Named email layouts a broadcast's content is wrapped in. Every account has the built-in
/// <see cref="TextOnly"/> (Kit's default template name, spec §3.6) without a row; others are added with
/// <c>mailroom layouts add</c>.
/// </summary>
public static partial class EmailLayouts
{
    public const string TextOnly = "Text Only";
    public const int MaxNameLength = 255;

    public static bool IsTextOnly(string name) => string.Equals(name.Trim(), TextOnly, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The canonical name of the account's layout called <paramref name="name"/> (matched exactly first, then
    /// ignoring case), or null when the account has no such layout.
    /// </summary>
    public static async Task<string?> ResolveNameAsync(AppDbContext db, long accountId, string name, CancellationToken ct)
    {
        name = name.Trim();
        if (IsTextOnly(name)) return TextOnly;
        var names = await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId)
            .Select(l => l.Name).ToListAsync(ct);
        return names.FirstOrDefault(n => n == name)
            ?? names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Problems with a layout's HTML: it must place the content and parse as Liquid.</summary>
    public static IEnumerable<string> HtmlProblems(string html)
    {
        if (!ContentPlaceholder().IsMatch(html)) yield return "the layout must contain a {{ content }} placeholder";
        if (LiquidTemplates.Problem(html) is { } reason) yield return $"the layout is not a valid Liquid template: {reason}";
    }

    [GeneratedRegex(@"\{\{-?\s*content\s*-?\}\}")]
    private static partial Regex ContentPlaceholder();
}
