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

    /// <summary>
    /// inferred: Kit gives every template an id; Text Only has no row here, so v4 (email_template.id,
    /// email_template_id) calls it 0. The broadcast keeps naming its layout (<see cref="Broadcast.EmailLayoutTemplate"/>),
    /// so v3 and v4 share one source of truth and these two methods translate.
    /// </summary>
    public const long TextOnlyId = 0;

    /// <summary>The account's layouts by name (for answering many broadcasts with one query).</summary>
    public static async Task<Dictionary<string, long>> IdsByNameAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        (await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId).Select(l => new { l.Id, l.Name }).ToListAsync(ct))
            .DistinctBy(l => l.Name).ToDictionary(l => l.Name, l => l.Id, StringComparer.Ordinal);

    /// <summary>The v4 <c>email_template</c> of a broadcast's layout name (a layout deleted since reads as Text Only).</summary>
    public static (long Id, string Name) TemplateOf(string? layoutName, IReadOnlyDictionary<string, long> ids) =>
        layoutName is not null && !IsTextOnly(layoutName) && ids.TryGetValue(layoutName, out var id) ? (id, layoutName) : (TextOnlyId, TextOnly);

    /// <summary>The layout name v4's <c>email_template_id</c> selects, or null when the account has no such template.</summary>
    public static async Task<string?> NameOfIdAsync(AppDbContext db, long accountId, long id, CancellationToken ct) =>
        id == TextOnlyId ? TextOnly
            : await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId && l.Id == id).Select(l => l.Name).FirstOrDefaultAsync(ct);

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
