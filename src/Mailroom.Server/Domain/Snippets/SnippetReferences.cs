using System.Text.RegularExpressions;

namespace Mailroom.Server.Domain.Snippets;

/// <summary>
/// <c>{{ snippet.key }}</c> in a broadcast's or sequence email's subject and content. Kit resolves them at send time, so
/// a snippet edit reaches every email that uses it on its next send. Expanded textually before the template is parsed
/// (a pre-pass rather than a Fluid value): keys contain hyphens (<c>welcome-message</c>), and an inline snippet is
/// itself Liquid (<c>{{ subscriber.first_name }}</c>) rendered with the message's variables. The expanded source is
/// the same for every recipient, so the renderer still parses it once per run.
/// </summary>
public static partial class SnippetReferences
{
    /// <summary>Nesting deeper than this is cut off (cycles are refused when saved; this bounds one that got in anyway).</summary>
    public const int MaxDepth = 10;

    // inferred: Kit's document says circular references are refused with a 422 but shows no message.
    public const string CircularMessage = "Snippet cannot reference itself, directly or through other snippets";

    [GeneratedRegex(@"\{\{-?\s*snippet\.([A-Za-z0-9_-]+)\s*-?\}\}")]
    private static partial Regex Reference();

    public static bool Mentions(string? source) => source is not null && source.Contains("snippet.", StringComparison.Ordinal);

    /// <summary>The keys <paramref name="source"/> references.</summary>
    public static IEnumerable<string> KeysIn(string? source) =>
        source is null ? [] : Reference().Matches(source).Select(m => m.Groups[1].Value);

    /// <summary>
    /// <paramref name="source"/> with every reference replaced by its snippet's body, nested references too; an
    /// unknown or archived snippet (absent from <paramref name="bodies"/>) becomes nothing, as in Kit.
    /// </summary>
    public static string? Expand(string? source, IReadOnlyDictionary<string, string> bodies, int depth = 0)
    {
        if (!Mentions(source)) return source;
        return Reference().Replace(source!, m =>
            depth < MaxDepth && bodies.TryGetValue(m.Groups[1].Value, out var body) ? Expand(body, bodies, depth + 1) ?? "" : "");
    }

    /// <summary>The source with references removed: what save-time Liquid checks parse (Fluid's identifiers stop at some keys' characters).</summary>
    public static string? Strip(string? source) => Mentions(source) ? Reference().Replace(source!, "") : source;

    /// <summary>The account's live (not archived) snippets' bodies by key, loaded once per send run when the template mentions any.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> LoadAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        await db.Snippets.AsNoTracking().Where(s => s.AccountId == accountId && !s.Archived)
            .Select(s => new { s.Key, Body = s.SnippetType == SnippetTypes.Block ? s.ValueHtml : s.Content })
            .ToDictionaryAsync(s => s.Key, s => s.Body ?? "", StringComparer.Ordinal, ct);

    /// <summary>Expands subject and content when either mentions a snippet (one query, none otherwise).</summary>
    public static async Task<(string? Subject, string? Content)> ExpandAsync(AppDbContext db, long accountId, string? subject, string? content, CancellationToken ct)
    {
        if (!Mentions(subject) && !Mentions(content)) return (subject, content);
        var bodies = await LoadAsync(db, accountId, ct);
        return (Expand(subject, bodies), Expand(content, bodies));
    }

    /// <summary>
    /// True when snippet <paramref name="key"/> with body <paramref name="body"/> would reach itself through the
    /// account's other snippets (archived ones too: restoring one must not make a cycle).
    /// </summary>
    public static async Task<bool> IsCircularAsync(AppDbContext db, long accountId, string key, string? body, CancellationToken ct)
    {
        if (!Mentions(body)) return false;
        var graph = (await db.Snippets.AsNoTracking().Where(s => s.AccountId == accountId && s.Key != key)
                .Select(s => new { s.Key, s.Content, s.ValueHtml }).ToListAsync(ct))
            .ToDictionary(s => s.Key, s => KeysIn(s.Content).Concat(KeysIn(s.ValueHtml)).ToList(), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(KeysIn(body));
        while (pending.TryPop(out var next))
        {
            if (next == key) return true;
            if (!seen.Add(next) || !graph.TryGetValue(next, out var refs)) continue;
            foreach (var r in refs) pending.Push(r);
        }
        return false;
    }
}
